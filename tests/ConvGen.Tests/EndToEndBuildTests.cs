using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace ConvGen.Tests;

/// <summary>What a user sees from <c>dotnet build</c>: the analyzer's error, located in their file.</summary>
public class EndToEndBuildTests
{
    [Fact]
    public void Dotnet_build_reports_a_shape_mistake_at_its_line_and_column()
    {
        string directory = Path.Combine(Path.GetTempPath(), "convgen-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            // The built ConvGen.dll and ConvGen.Generators.dll sit beside this test assembly.
            string bin = AppContext.BaseDirectory;
            File.WriteAllText(Path.Combine(directory, "Mistake.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="{Path.Combine(bin, "ConvGen.dll")}" />
                    <Analyzer Include="{Path.Combine(bin, "ConvGen.Generators.dll")}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), """
                using ConvGen;

                System.Console.WriteLine(Digits.OutputLength);

                [ConvNet(1, 8, 8)]
                [MaxPool2D(2, Name = "pool1")]
                [Conv2D(4, 5, Name = "conv2", Weights = new float[] { 0 }, Bias = new float[] { 0, 0, 0, 0 })]
                public static partial class Digits;
                """);

            var start = new ProcessStartInfo("dotnet", "build -nologo -v:q -p:UseSharedCompilation=false")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var build = Process.Start(start)!;
            string output = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
            Assert.True(build.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet build did not finish");

            Assert.NotEqual(0, build.ExitCode);
            string expected = "Program.cs(7,12): error CG0001: Conv2D 'conv2' has a 5x5 window but its input (after MaxPool2D 'pool1') is 4x4x1; "
                + "the output would be empty. Use Padding.Same, a kernel of at most 4x4, or remove a pooling layer before it.";
            Assert.Contains(expected, output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
