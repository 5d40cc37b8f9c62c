#!/usr/bin/env bash
# What ConvGen costs a build: MobileNetV1-0.25 (samples/ReferenceNetworks/MobileNetV1.cs, 83 layers, 219,058
# weights) in a console project of its own, against the same project without the declaration.
#
#   tests/ConvGen.Benchmarks/build-cost.sh [repetitions=3] [work folder=a new mktemp -d]
#
# For each of the two projects ("convgen": Program.cs + MobileNetV1.cs + mobilenet_v1_025.safetensors;
# "baseline": the same Program.cs without the network, same references) it times, with the build server warm:
#   clean    rm -rf bin obj; dotnet restore (not timed); dotnet build --no-restore   (repetitions times)
#   edit     a comment appended to Program.cs, then dotnet build --no-restore          (repetitions times)
# then prints the size of the generated .g.cs (EmitCompilerGeneratedFiles) and the generator's own time as
# the compiler reports it (-p:ReportAnalyzer=true). The projects reference ConvGen as the samples do
# (ProjectReference to src/ConvGen and, as an analyzer, generators/ConvGen.Generators; Import of
# src/ConvGen/build/ConvGen.targets for the weights-file step). The work folder is outside the repository
# and left in place; nothing in the repository changes apart from the two referenced projects' bin/obj.
set -euo pipefail

REPS=${1:-3}
WORK=${2:-$(mktemp -d /tmp/convgen-build-cost.XXXXXX)}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

make_project() { # $1 = folder, $2 = with network (1/0)
    local dir=$1 with=$2
    mkdir -p "$dir"
    cat > "$dir/BuildCost.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <LangVersion>latest</LangVersion>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$ROOT/src/ConvGen/ConvGen.csproj" />
    <ProjectReference Include="$ROOT/generators/ConvGen.Generators/ConvGen.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
  <Import Project="$ROOT/src/ConvGen/build/ConvGen.targets" />
</Project>
EOF
    if [ "$with" = 1 ]; then
        cp "$ROOT/samples/ReferenceNetworks/MobileNetV1.cs" "$dir/"
        cp "$ROOT/samples/ReferenceNetworks/data/mobilenet_v1_025.safetensors" "$dir/"
        sed -i 's|  <ItemGroup>|  <ItemGroup>\n    <AdditionalFiles Include="mobilenet_v1_025.safetensors" />|' "$dir/BuildCost.csproj"
        cat > "$dir/Program.cs" <<'EOF'
using System;
using ReferenceNetworks;

var output = new float[MobileNetV1.OutputLength];
MobileNetV1.Run(new float[MobileNetV1.InputLength], output);
Console.WriteLine($"MobileNetV1-0.25 on zeros: {output[0]}, {output[1]}");
EOF
    else
        cat > "$dir/Program.cs" <<'EOF'
using System;

var output = new float[2];
Console.WriteLine($"No network: {output[0]}, {output[1]}");
EOF
    fi
}

seconds() { # runs "$@" quietly, prints its wall time in seconds; fails loudly if the build fails
    local start end log
    log=$(mktemp)
    start=$(date +%s.%N)
    if ! "$@" > "$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
    end=$(date +%s.%N)
    rm -f "$log"
    printf "%.1f" "$(echo "$end - $start" | bc)"
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "# ConvGen build cost: $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), dotnet $(dotnet --version)"
echo "# work folder: $WORK; repository: $ROOT ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
make_project "$WORK/convgen" 1
make_project "$WORK/baseline" 0

for variant in baseline convgen; do
    dir="$WORK/$variant"
    # Warm-up: builds the referenced projects, starts the build and compiler servers, compiles the inline task.
    (cd "$dir" && dotnet build -nologo -v:q > /dev/null)
    clean="" edit=""
    for ((i = 1; i <= REPS; i++)); do
        rm -rf "$dir/bin" "$dir/obj"
        (cd "$dir" && dotnet restore -nologo -v:q > /dev/null)
        clean+=" $(cd "$dir" && seconds dotnet build --no-restore -nologo -v:q)"
    done
    for ((i = 1; i <= REPS; i++)); do
        echo "// unrelated edit $i" >> "$dir/Program.cs"
        edit+=" $(cd "$dir" && seconds dotnet build --no-restore -nologo -v:q)"
    done
    echo "$variant: clean build s:$clean (median $(echo "$clean" | median)); after editing Program.cs s:$edit (median $(echo "$edit" | median))"
done

generated=$(find "$WORK/convgen/obj" -name '*.g.cs' -path '*ConvNetGenerator*')
for f in $generated; do
    echo "generated: $(basename "$f"): $(stat -c %s "$f") bytes, $(wc -l < "$f") lines"
done
dll() { find "$1/bin" -name BuildCost.dll | head -1; }
echo "assembly: convgen $(stat -c %s "$(dll "$WORK/convgen")") bytes, baseline $(stat -c %s "$(dll "$WORK/baseline")") bytes"

# The generator's own share of the compile, as Roslyn measures it, and the compile step's (CoreCompile) time.
echo "// edit for ReportAnalyzer" >> "$WORK/convgen/Program.cs"
(cd "$WORK/convgen" && dotnet build --no-restore -nologo -v:d -p:ReportAnalyzer=true -clp:PerformanceSummary 2>&1) \
    | grep -E 'Total generator execution time|ConvGen\.Generators\.ConvNetGenerator$| CoreCompile +[0-9]+ calls' | sed 's/^ *//' | sort -u || true
