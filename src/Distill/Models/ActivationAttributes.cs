using System.Globalization;
using TinyKd.Tensors;

namespace TinyKd.Distill.Models;

/// <summary>
/// A static activation quantization as int8 layer records keep it: the attributes <c>activation_scale</c> (float,
/// round-trip text) and <c>activation_zero_point</c> (0 … 255); neither for dynamic quantization.
/// </summary>
internal static class ActivationAttributes
{
    /// <summary>Adds the attributes of <paramref name="activation"/> (nothing when null), their names after <paramref name="key"/>.</summary>
    public static void Write(ActivationQuantization? activation, IDictionary<string, string> attributes, string key = "")
    {
        if (activation is not { } a) return;
        attributes[key + "activation_scale"] = a.Scale.ToString("R", CultureInfo.InvariantCulture);
        attributes[key + "activation_zero_point"] = a.ZeroPoint.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The static quantization a record keeps (attributes named after <paramref name="key"/>), or null (dynamic) when it keeps neither attribute.</summary>
    /// <exception cref="InvalidDataException">One attribute without the other, a scale that is not finite and positive,
    /// or a zero point outside 0 … 255.</exception>
    public static ActivationQuantization? Read(LayerRecord record, string prefix, LayerTensors tensors, string key = "")
    {
        bool hasScale = record.Attributes.TryGetValue(key + "activation_scale", out string? scaleText);
        bool hasZero = record.Attributes.TryGetValue(key + "activation_zero_point", out string? zeroText);
        if (!hasScale && !hasZero) return null;
        if (!float.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out float scale) || !(scale > 0f) || !float.IsFinite(scale)
            || !byte.TryParse(zeroText, NumberStyles.None, CultureInfo.InvariantCulture, out byte zero))
            throw tensors.Error($"has a {record.Kind} layer '{prefix}' whose activation quantization (scale '{scaleText}', zero point '{zeroText}') is not a finite positive scale and a zero point in 0 … 255");
        return new ActivationQuantization(scale, zero);
    }
}
