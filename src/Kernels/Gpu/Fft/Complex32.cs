namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>An interleaved single-precision complex number as the FFT kernels read and write it (real, imaginary).</summary>
internal struct Complex32
{
    public float Re;
    public float Im;

    public Complex32(float re, float im)
    {
        Re = re;
        Im = im;
    }

    public static Complex32 operator +(Complex32 a, Complex32 b) => new(a.Re + b.Re, a.Im + b.Im);

    public static Complex32 operator -(Complex32 a, Complex32 b) => new(a.Re - b.Re, a.Im - b.Im);

    public static Complex32 operator *(Complex32 a, Complex32 b) => new(a.Re * b.Re - a.Im * b.Im, a.Re * b.Im + a.Im * b.Re);

    public static Complex32 operator *(float s, Complex32 a) => new(s * a.Re, s * a.Im);

    public Complex32 Conjugate() => new(Re, -Im);

    /// <summary>-i times this.</summary>
    public Complex32 TimesMinusI() => new(Im, -Re);

    /// <summary>+i times this.</summary>
    public Complex32 TimesI() => new(-Im, Re);
}
