using System.Collections.Generic;

namespace ConvGen.Tests.Infrastructure;

/// <summary>
/// Declarations that together touch every layer and option of the foundation: the golden-file
/// snapshots, the .NET 8 compile check and the reference comparison all use these.
/// Weights are arbitrary fixed values.
/// </summary>
public static class ShowcaseNetworks
{
    public const string Usings = "using ConvGen;\n\nnamespace Showcase;\n\n";

    public static IReadOnlyDictionary<string, string> All { get; } = new SortedDictionary<string, string>
    {
        ["BatchNormNet"] = """
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 3, UseBias = false, Name = "conv1", Weights = new float[] { -0.670f, 0.380f, 0.270f, -0.042f, -0.568f, 0.585f, 0.616f, 0.025f, 0.010f, -0.528f, -0.994f, -0.258f, 0.171f, -0.861f, 0.588f, -0.535f, -0.535f, -0.915f, 0.995f, 0.477f, 0.750f, 0.232f, -0.932f, -0.342f, -0.005f, -0.768f, 0.904f, -0.263f, -0.690f, 0.635f, -0.750f, 0.856f, -0.094f, 0.104f, -0.314f, -0.031f, -0.626f, -0.926f, 0.732f, -0.530f, 0.561f, -0.583f, 0.938f, 0.788f, 0.510f, 0.526f, 0.162f, 0.460f, -0.755f, -0.047f, 0.654f, -0.598f, 0.846f, 0.775f })]
            [BatchNorm(Name = "bn1", Gamma = new float[] { -0.181f, -0.270f, -0.097f }, Beta = new float[] { -0.228f, 0.990f, -0.227f }, Mean = new float[] { -0.946f, -0.813f, 0.436f }, Variance = new float[] { 1.987f, 1.093f, 1.085f })]
            [Activation(Activation.ReLU)]
            [Conv2D(4, 1, Activation = Activation.Tanh, Name = "conv2", Weights = new float[] { 0.101f, 0.496f, -0.556f, 0.218f, 0.113f, 0.245f, -0.639f, -0.660f, -0.304f, 0.854f, -0.307f, 0.194f }, Bias = new float[] { -0.387f, -0.793f, -0.869f, 0.627f })]
            [BatchNorm(Epsilon = 1e-3f, Name = "bn2", Gamma = new float[] { 0.554f, -0.250f, 0.367f, 0.352f }, Beta = new float[] { 0.797f, 0.917f, -0.186f, 0.978f }, Mean = new float[] { 0.923f, 0.181f, 0.766f, -0.018f }, Variance = new float[] { 0.876f, 0.645f, 1.777f, 0.492f })]
            [GlobalAvgPool]
            [Dense(2, Name = "fc", Weights = new float[] { -0.861f, 0.611f, 0.548f, -0.034f, 0.674f, -0.896f, -0.484f, -0.420f }, Bias = new float[] { -0.161f, -0.659f })]
            [BatchNorm(Name = "bn3", Gamma = new float[] { -0.861f, -0.324f }, Beta = new float[] { 0.798f, 0.967f }, Mean = new float[] { 0.492f, -0.042f }, Variance = new float[] { 0.654f, 1.926f })]
            public static partial class BatchNormNet;
            """,
        ["GraphNet"] = """
            [ConvNet(2, 6, 6)]
            [Conv2D(4, 3, Pad = 1, PaddingMode = PaddingMode.Reflect, Activation = Activation.ReLU, Name = "stem", Weights = new float[] { 0.246f, 0.484f, 0.590f, 0.885f, 0.480f, 0.845f, -0.942f, -0.069f, 0.887f, 0.298f, 0.802f, -0.774f, -0.062f, -0.507f, 0.088f, 0.148f, -0.974f, -0.567f, -0.441f, 0.833f, 0.531f, -0.681f, 0.594f, -0.722f, 0.235f, -0.747f, -0.996f, 0.743f, -0.581f, -0.569f, 0.965f, 0.745f, -0.421f, 0.923f, 0.078f, 0.356f, -0.590f, 0.882f, 0.381f, 0.933f, 0.787f, -0.402f, -0.278f, -0.668f, -0.709f, -0.870f, -0.397f, 0.206f, -0.993f, 0.356f, -0.324f, -0.380f, 0.637f, -0.039f, -0.368f, -0.038f, 0.409f, -0.886f, 0.950f, -0.954f, 0.500f, 0.690f, -0.964f, 0.575f, -0.268f, 0.157f, -0.982f, -0.907f, -0.638f, 0.910f, -0.607f, 0.511f }, Bias = new float[] { 0.859f, 0.884f, -0.311f, -0.290f })]
            [DepthwiseConv2D(3, DepthMultiplier = 2, Padding = Padding.Same, Name = "dw", Weights = new float[] { 0.049f, 0.551f, -0.784f, 0.497f, 0.594f, 0.719f, -0.927f, 0.892f, -0.818f, -0.319f, 0.222f, 0.836f, -0.320f, 0.848f, 0.090f, -0.375f, -0.366f, -0.645f, -0.844f, -0.702f, 0.378f, 0.993f, -0.677f, -0.903f, 0.973f, 0.067f, -0.188f, -0.525f, 0.188f, 0.653f, -0.089f, -0.156f, -0.889f, 0.832f, -0.935f, -0.013f, 0.677f, -0.739f, 0.463f, 0.900f, 0.261f, 0.576f, -0.787f, -0.131f, -0.702f, 0.689f, -0.410f, -0.094f, 0.999f, 0.705f, 0.952f, -0.093f, -0.024f, 0.459f, -0.042f, -0.418f, -0.192f, -0.707f, -0.246f, 0.977f, 0.920f, 0.254f, -0.001f, -0.323f, -0.822f, -0.455f, 0.564f, 0.735f, -0.277f, 0.572f, 0.550f, 0.389f }, Bias = new float[] { 0.328f, 0.519f, -0.273f, 0.409f, -0.438f, -0.029f, 0.539f, 0.382f })]
            [Conv2D(4, 1, Name = "pw", Weights = new float[] { -0.412f, 0.891f, 0.299f, 0.161f, -0.977f, 0.094f, -0.499f, 0.343f, -0.074f, 0.633f, 0.295f, 0.595f, -0.304f, 0.288f, 0.476f, 0.656f, -0.300f, 0.686f, 0.740f, 0.377f, 0.952f, 0.913f, 0.036f, 0.059f, -0.668f, 0.673f, 0.875f, -0.046f, 0.383f, 0.439f, 0.461f, -0.656f }, Bias = new float[] { 0.561f, 0.162f, 0.331f, -0.158f })]
            [Add("pw", "stem", Name = "residual")]
            [ZeroPad2D(0, 0, 1, 1, Input = "input", Name = "pad")]
            [Conv2D(4, 3, Stride = 2, Groups = 2, Activation = Activation.ReLU6, Name = "down", Weights = new float[] { 0.247f, 0.549f, 0.274f, 0.441f, -0.945f, -0.680f, -0.118f, 0.300f, -0.562f, 0.372f, 0.262f, -0.916f, -0.057f, -0.548f, -0.892f, -0.733f, -0.365f, -0.637f, -0.613f, -0.929f, -0.069f, -0.239f, 0.224f, 0.180f, -0.524f, 0.806f, -0.999f, -0.189f, -0.443f, -0.180f, -0.770f, 0.663f, -0.252f, -0.928f, 0.227f, -0.810f }, Bias = new float[] { 0.090f, -0.321f, 0.162f, 0.917f })]
            [Conv2DTranspose(4, 3, Stride = 2, Pad = 1, OutputPadding = 1, Name = "up", Weights = new float[] { 0.637f, -0.162f, 0.626f, 0.285f, -0.261f, -0.716f, 0.192f, 0.128f, 0.914f, 0.936f, 0.217f, -0.298f, 0.787f, -0.998f, -0.784f, 0.132f, 0.230f, -0.719f, 0.259f, 0.783f, -0.248f, -0.137f, -0.547f, -0.417f, 0.945f, -0.240f, 0.922f, 0.827f, 0.192f, -0.480f, 0.962f, -0.007f, -0.169f, -0.362f, 0.969f, -0.016f, -0.427f, -0.046f, -0.756f, 0.243f, -0.113f, -0.414f, 0.563f, 0.654f, -0.974f, 0.065f, -0.452f, 0.871f, 0.564f, -0.509f, -0.465f, -0.690f, 0.978f, -0.414f, 0.216f, -0.051f, 0.290f, 0.208f, 0.487f, -0.764f, 0.521f, -0.399f, 0.067f, -0.328f, -0.406f, 0.060f, -0.071f, -0.278f, 0.490f, 0.182f, -0.927f, -0.495f, -0.089f, 0.833f, 0.776f, 0.091f, -0.971f, 0.557f, -0.145f, 0.151f, 0.416f, 0.264f, -0.036f, 0.823f, -0.229f, -0.216f, 0.704f, -0.607f, -0.407f, 0.660f, -0.868f, 0.673f, 0.389f, -0.134f, -0.427f, 0.561f, 0.821f, -0.715f, -0.043f, 0.098f, -0.005f, -0.339f, -0.693f, 0.172f, 0.624f, -0.863f, -0.540f, 0.639f, 0.584f, 0.327f, -0.949f, 0.445f, 0.957f, 0.997f, 0.402f, -0.902f, 0.684f, -0.562f, 0.291f, 0.904f, 0.425f, -0.731f, -0.415f, 0.836f, -0.701f, 0.221f, -0.172f, -0.678f, 0.245f, -0.913f, -0.784f, -0.242f, -0.856f, -0.885f, 0.151f, 0.485f, 0.757f, -0.731f, -0.137f, -0.371f, 0.200f, -0.021f, 0.877f, -0.252f }, Bias = new float[] { -0.888f, 0.395f, -0.698f, 0.263f })]
            [Concat("residual", "up", Name = "merge")]
            [ChannelShuffle(2)]
            [GlobalAvgPool]
            [Dense(3, Name = "fc", Weights = new float[] { 0.012f, 0.821f, 0.110f, 0.242f, -0.474f, 0.103f, -0.492f, 0.501f, 0.034f, -0.732f, -0.531f, -0.258f, 0.474f, -0.641f, 0.427f, 0.310f, -0.830f, 0.336f, -0.818f, -0.750f, 0.188f, -0.523f, 0.754f, -0.039f }, Bias = new float[] { -0.353f, 0.593f, -0.941f })]
            public static partial class GraphNet;
            """,
        ["VerticalLineDetector"] = """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Weights = new float[] { 0, 1, 0, 0, 1, 0, 0, 1, 0 }, Bias = new float[] { 0 })]
            public static partial class VerticalLineDetector;
            """,
        ["BumpDetector"] = """
            [ConvNet(1, 8)]
            [Conv1D(1, 3, Weights = new float[] { 0, 1, 0 }, Bias = new float[] { 0 })]
            public static partial class BumpDetector;
            """,
        ["SmallLeNet"] = """
            [ConvNet(1, 12, 12)]
            [Conv2D(2, 3, Pad = 1, Activation = Activation.ReLU, Name = "conv1", Weights = new float[] { -0.095f, 0.120f, 0.848f, -0.069f, 0.016f, 0.175f, -0.631f, 0.024f, 0.260f, 0.586f, -0.812f, -0.393f, -0.819f, 0.619f, 0.387f, -0.916f, 0.964f, 0.930f }, Bias = new float[] { 0.308f, 0.231f })]
            [MaxPool2D(2, Name = "pool1")]
            [Conv2D(4, 2, 3, Strides = new[] { 1, 2 }, Groups = 2, Activation = Activation.LeakyReLU, Alpha = 0.1f, Name = "conv2", Weights = new float[] { -0.685f, -0.970f, 0.057f, -0.881f, -0.620f, -0.516f, -0.940f, -0.072f, -0.119f, 0.685f, 0.038f, 0.281f, -0.000f, 0.325f, -0.085f, -0.444f, 0.995f, 0.991f, 0.680f, 0.416f, -0.369f, -0.541f, -0.422f, -0.860f }, Bias = new float[] { 0.533f, -0.199f, 0.693f, -0.227f })]
            [AvgPool2D(2, CeilMode = true, CountIncludePad = false, Name = "pool2")]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax, Name = "fc", Weights = new float[] { 0.246f, 0.484f, 0.590f, 0.885f, 0.480f, 0.845f, -0.942f, -0.069f, 0.887f, 0.298f, 0.802f, -0.774f, -0.062f, -0.507f, 0.088f, 0.148f, -0.974f, -0.567f, -0.441f, 0.833f, 0.531f, -0.681f, 0.594f, -0.722f, 0.235f, -0.747f, -0.996f, 0.743f, -0.581f, -0.569f, 0.965f, 0.745f, -0.421f, 0.923f, 0.078f, 0.356f }, Bias = new float[] { -0.923f, 0.925f, -0.523f })]
            public partial class SmallLeNet;
            """,
        ["KerasChannelsLast"] = """
            [ConvNet(3, 6, 6, Layout = Layout.ChannelsLast, WeightLayout = WeightLayout.Keras)]
            [Conv2D(4, 3, Stride = 2, Padding = Padding.Same, Activation = Activation.HardSwish, Weights = new float[] { 0.409f, -0.486f, 0.647f, 0.193f, -0.413f, -0.649f, 0.441f, -0.862f, -0.543f, 0.119f, 0.705f, 0.229f, -0.440f, 0.835f, -0.592f, -0.967f, -0.462f, -0.109f, -0.879f, -0.647f, -0.262f, 0.144f, -0.737f, -0.276f, 0.782f, 0.961f, 0.314f, 0.382f, 0.169f, -0.719f, -0.930f, -0.964f, 0.820f, 0.402f, 0.926f, -0.957f, 0.272f, -0.036f, 0.461f, -0.362f, 0.999f, -0.849f, 0.092f, 0.474f, 0.800f, 0.474f, 0.407f, 0.587f, 0.830f, -0.296f, 0.370f, 0.802f, 0.742f, -0.166f, 0.581f, 0.727f, 0.146f, 0.250f, -0.235f, 0.165f, 0.218f, -0.840f, 0.279f, 0.987f, 0.760f, 0.456f, -0.223f, 0.470f, 0.162f, -0.119f, 0.677f, -0.832f, 0.500f, -0.940f, 0.203f, -0.038f, -0.540f, 0.397f, -0.005f, 0.229f, 0.841f, -0.488f, -0.977f, -0.398f, 0.356f, -0.595f, -0.661f, 0.811f, 0.320f, -0.116f, 0.783f, -0.346f, 0.332f, -0.603f, -0.138f, 0.612f, 0.828f, 0.761f, -0.231f, 0.166f, -0.367f, -0.728f, -0.007f, 0.674f, 0.697f, 0.422f, 0.900f, -0.446f }, Bias = new float[] { -0.662f, -0.099f, -0.450f, -0.572f })]
            [Conv2D(4, 1, Groups = 4, UseBias = false, Activation = Activation.ELU, Weights = new float[] { -0.172f, 0.251f, -0.012f, -0.369f })]
            [Flatten]
            [Dense(2, Activation = Activation.Tanh, Weights = new float[] { 0.678f, 0.964f, -0.095f, -0.851f, -0.937f, 0.746f, -0.917f, 0.417f, 0.141f, -0.382f, 0.583f, -0.962f, -0.728f, -0.090f, -0.951f, 0.659f, -0.525f, -0.718f, -0.906f, 0.258f, -0.107f, 0.260f, 0.310f, 0.615f, 0.917f, 0.369f, -0.601f, -0.050f, -0.643f, -0.978f, -0.056f, 0.428f, -0.642f, -0.455f, -0.309f, 0.395f, 0.041f, 0.229f, 0.512f, -0.213f, 0.584f, 0.812f, -0.826f, 0.865f, 0.445f, -0.740f, -0.093f, 0.251f, 0.820f, -0.246f, 0.138f, 0.759f, 0.594f, 0.889f, -0.073f, 0.303f, -0.590f, 0.444f, 0.637f, 0.283f, 0.435f, -0.573f, 0.800f, 0.961f, 0.955f, 0.074f, 0.582f, -0.359f, 0.820f, 0.712f, -0.303f, -0.834f }, Bias = new float[] { -0.118f, 0.101f })]
            public static partial class KerasChannelsLast;
            """,
        ["SignalClassifier"] = """
            [ConvNet(2, 16)]
            [Conv1D(3, 5, Dilation = 2, Padding = Padding.Same, Activation = Activation.ReLU6, Weights = new float[] { 0.536f, -0.025f, -0.943f, 0.618f, -0.872f, 0.600f, -0.654f, -0.330f, 0.576f, -0.719f, -0.703f, 0.033f, 0.447f, 0.680f, 0.379f, 0.891f, -0.015f, 0.898f, -0.828f, -0.557f, 0.053f, -0.420f, 0.458f, 0.278f, 0.046f, 0.687f, 0.120f, -0.377f, -0.238f, 0.691f }, Bias = new float[] { 0.801f, -0.584f, 0.702f })]
            [MaxPool1D(3, Stride = 2, Pad = 1)]
            [Activation(Activation.Sigmoid)]
            [GlobalMaxPool]
            [Dropout(0.25f)]
            [Dense(2, Weights = new float[] { 0.937f, 0.048f, 0.146f, -0.598f, 0.072f, 0.006f }, Bias = new float[] { 0.210f, -0.944f })]
            [Softmax]
            public static partial class SignalClassifier;
            """,
        ["DenseOnly"] = """
            [ConvNet(4)]
            [Dense(3, Activation = Activation.Tanh, Weights = new float[] { 0.939f, 0.032f, -0.199f, 0.602f, 0.126f, -0.018f, 0.382f, -0.868f, 0.077f, -0.172f, 0.914f, 0.847f }, Bias = new float[] { -0.462f, -0.054f, -0.746f })]
            [Dropout]
            [Dense(2, UseBias = false, Weights = new float[] { -0.133f, 0.631f, 0.801f, -0.047f, -0.366f, -0.617f })]
            public static partial class DenseOnly;
            """,
    };

    /// <summary>All showcase networks in one source file.</summary>
    public static string Source => Usings + string.Join("\n\n", All.Values);
}
