//! Pearson's chi-square test with its exact p-value, for the draw tests:
//! p = Q(df/2, x/2), the regularized upper incomplete gamma function
//! (series below a+1, Lentz's continued fraction above; Numerical Recipes
//! 6.2), with ln Γ by Lanczos (g = 7, n = 9).

/// ln Γ(z) for z > 0.
fn ln_gamma(z: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if z < 0.5 {
        // Reflection: Γ(z) Γ(1 - z) = π / sin(π z).
        let pi = std::f64::consts::PI;
        return (pi / (pi * z).sin()).ln() - ln_gamma(1.0 - z);
    }
    let z = z - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (z + i as f64);
    }
    let t = z + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (z + 0.5) * t.ln() - t + sum.ln()
}

/// Q(a, x) = Γ(a, x) / Γ(a).
fn upper_regularized_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (a * x.ln() - x - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // P(a, x) by its series; Q = 1 - P.
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        front * h
    }
}

/// The probability that a chi-square variable with `df` degrees of
/// freedom is at least `x`.
pub fn p_value(x: f64, df: usize) -> f64 {
    upper_regularized_gamma(df as f64 / 2.0, x / 2.0)
}

/// Pearson's statistic for observed counts against expected probabilities
/// (cells with probability 0 must have count 0 and are left out), and its
/// degrees of freedom.
pub fn statistic(observed: &[u64], probabilities: &[f64]) -> (f64, usize) {
    let n: u64 = observed.iter().sum();
    let mut x = 0.0;
    let mut cells = 0;
    for (&o, &p) in observed.iter().zip(probabilities) {
        if p == 0.0 {
            assert_eq!(o, 0, "an impossible outcome came out");
            continue;
        }
        let e = p * n as f64;
        x += (o as f64 - e).powi(2) / e;
        cells += 1;
    }
    (x, cells - 1)
}

#[test]
fn p_values_match_the_published_critical_values() {
    // Upper 0.1 % points of the chi-square distribution (NIST/SEMATECH
    // e-Handbook, table 1.3.6.7.4), df = 1..=11.
    let critical = [
        10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588, 31.264,
    ];
    for (i, x) in critical.iter().enumerate() {
        let p = p_value(*x, i + 1);
        assert!((p - 0.001).abs() < 2e-6, "df {}: p({x}) = {p}", i + 1);
    }
    // The median of df = 2 is 2 ln 2; the mean region of a large df.
    assert!((p_value(2.0 * 2f64.ln(), 2) - 0.5).abs() < 1e-12);
    assert!((p_value(0.0, 5) - 1.0).abs() < 1e-12);
    assert!(p_value(100.0, 5) < 1e-15);
}

#[test]
fn a_biased_sample_fails() {
    let fair = [0.25; 4];
    let (x, df) = statistic(&[2500, 2500, 2600, 2400], &fair);
    assert!(p_value(x, df) > 0.001);
    let (x, df) = statistic(&[2500, 2500, 2800, 2200], &fair);
    assert!(p_value(x, df) < 0.001);
}
