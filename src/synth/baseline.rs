//! Baseline work-up of the synthetic patients.
//!
//! Five latent factors per patient drive the variables: tumour burden, liver
//! dysfunction (correlated 0.3 with burden), age, viral hepatitis and a
//! metabolic factor. Each variable's latent score mixes some of them with
//! noise, and [`super::marginal`] turns the scores into values whose category
//! shares are those of the patient's treatment group. Tumour burden raises
//! BCLC stage, tumour size and number, PVTT, N, M, AFP and ALP; HSP90α rises
//! with burden, liver dysfunction, AFP, Child–Pugh class B, N and M.
//!
//! PVTT, N and M are given only to BCLC stage C patients, because the
//! registry requires stage C or D with PVTT or M, and nodal spread is
//! extrahepatic disease, which is stage C as well.

use std::ops::Range;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::marginal::{
    BinnedMarginal, Scale, category, flag_highest, latent_score, normal_quantile, round_within,
    stratified_uniforms, truncated_normal_quantile,
};
use super::profile::{GroupProfile, TreatmentGroup};
use crate::domain::cutoffs::{
    AFP_HIGH_NG_ML, AGE_OLDER_YEARS, ALBI_ALBUMIN_WEIGHT, ALBI_GRADE1_MAX, ALBI_GRADE2_MAX,
    ALBI_LOG10_BILIRUBIN_WEIGHT, ALP_HIGH_U_L, ALT_HIGH_U_L, LEUKOCYTES_HIGH_1E9_L,
    PLATELETS_HIGH_1E9_L, TUMOR_SIZE_BIN_EDGES_CM,
};
use crate::domain::derived::{albi_grade_of_score, albi_score};
use crate::domain::{Baseline, Bclc, ChildPugh, Sex};

/// Albumin range the generator keeps to, g/L (inside the soft range 20–55).
const ALBUMIN_RANGE_G_L: (f64, f64) = (22.0, 52.0);
/// Bilirubin range the generator keeps to, µmol/L (inside the soft range 3–300).
const BILIRUBIN_RANGE_UMOL_L: (f64, f64) = (3.5, 280.0);
/// HSP90α range the generator keeps to, ng/mL (inside the soft range 5–1500).
pub(super) const HSP90A_RANGE_NG_ML: (f64, f64) = (6.0, 1480.0);
/// AFP range the generator keeps to, ng/mL (inside the soft range 0–200,000).
pub(super) const AFP_RANGE_NG_ML: (f64, f64) = (1.0, 150_000.0);
/// Mean number of lesions beyond the second in patients with several.
const EXTRA_LESIONS_MEAN: f64 = 1.8;
/// Largest tumour number drawn.
const MAX_TUMOR_NUMBER: u32 = 20;

/// One patient's baseline as drawn, every value present.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct PatientDraw {
    pub male: bool,
    pub age_years: u32,
    pub hsp90a_ng_ml: f64,
    pub hbv: bool,
    pub diabetes: bool,
    pub hypertension: bool,
    pub child_pugh_b: bool,
    pub albumin_g_l: f64,
    pub bilirubin_umol_l: f64,
    pub afp_ng_ml: f64,
    pub alp_u_l: f64,
    pub platelets_1e9_l: f64,
    pub alt_u_l: f64,
    pub leukocytes_1e9_l: f64,
    /// BCLC stage as 0 for A, 1 for B and 2 for C.
    pub bclc_index: usize,
    pub tumor_number: u32,
    pub tumor_size_cm: f64,
    pub pvtt: bool,
    pub lymph_nodes: bool,
    pub metastasis: bool,
}

impl PatientDraw {
    /// BCLC stage (A, B or C).
    pub fn bclc(&self) -> Bclc {
        match self.bclc_index {
            0 => Bclc::A,
            1 => Bclc::B,
            _ => Bclc::C,
        }
    }

    /// ALBI score from the drawn albumin and bilirubin.
    pub fn albi_score(&self) -> f64 {
        albi_score(self.albumin_g_l, self.bilirubin_umol_l)
    }

    /// Converts the draw to the registry's baseline record. The ALBI grade
    /// is left empty, so the registry computes it from albumin and bilirubin.
    pub fn to_baseline(&self) -> Baseline {
        Baseline {
            sex: Some(if self.male { Sex::Male } else { Sex::Female }),
            age_years: Some(self.age_years),
            hsp90a_ng_ml: Some(self.hsp90a_ng_ml),
            hbv: Some(self.hbv),
            diabetes: Some(self.diabetes),
            hypertension: Some(self.hypertension),
            child_pugh: Some(if self.child_pugh_b {
                ChildPugh::B
            } else {
                ChildPugh::A
            }),
            albumin_g_l: Some(self.albumin_g_l),
            bilirubin_umol_l: Some(self.bilirubin_umol_l),
            albi_grade: None,
            afp_ng_ml: Some(self.afp_ng_ml),
            alp_u_l: Some(self.alp_u_l),
            platelets_1e9_l: Some(self.platelets_1e9_l),
            alt_u_l: Some(self.alt_u_l),
            leukocytes_1e9_l: Some(self.leukocytes_1e9_l),
            bclc: Some(self.bclc()),
            tumor_number: Some(self.tumor_number),
            tumor_size_cm: Some(self.tumor_size_cm),
            pvtt: Some(self.pvtt),
            lymph_nodes: Some(self.lymph_nodes),
            metastasis: Some(self.metastasis),
        }
    }
}

/// Latent factors, one standard normal value per patient each.
struct LatentFactors {
    tumor: Vec<f64>,
    liver: Vec<f64>,
    age: Vec<f64>,
    viral: Vec<f64>,
    metabolic: Vec<f64>,
}

impl LatentFactors {
    fn draw(rng: &mut ChaCha8Rng, patients: usize) -> Self {
        let tumor = latent_score(rng, &[], 1.0, patients);
        let liver = latent_score(rng, &[(0.3, &tumor)], 0.91f64.sqrt(), patients);
        let age = latent_score(rng, &[], 1.0, patients);
        let viral = latent_score(
            rng,
            &[(-0.35, &age)],
            (1.0 - 0.35f64.powi(2)).sqrt(),
            patients,
        );
        let metabolic = latent_score(rng, &[], 1.0, patients);
        Self {
            tumor,
            liver,
            age,
            viral,
            metabolic,
        }
    }
}

/// Draws latent scores and turns them into per-group stratified uniforms.
struct Sampler<'a> {
    rng: &'a mut ChaCha8Rng,
    groups: &'a [TreatmentGroup],
    ranges: Vec<Range<usize>>,
    patients: usize,
}

impl Sampler<'_> {
    fn uniforms(&mut self, terms: &[(f64, &[f64])], noise_sd: f64) -> Vec<f64> {
        let scores = latent_score(self.rng, terms, noise_sd, self.patients);
        stratified_uniforms(self.rng, &scores, &self.ranges)
    }

    fn group_index(&self, patient: usize) -> usize {
        self.ranges
            .iter()
            .position(|range| range.contains(&patient))
            .unwrap_or(0)
    }

    fn profile_of(&self, patient: usize) -> &'static GroupProfile {
        self.groups[self.group_index(patient)].profile
    }

    /// Draws a yes/no variable whose share of "yes" in each group is `share`.
    fn binary(
        &mut self,
        terms: &[(f64, &[f64])],
        noise_sd: f64,
        share: fn(&GroupProfile) -> f64,
    ) -> Vec<bool> {
        let uniforms = self.uniforms(terms, noise_sd);
        (0..self.patients)
            .map(|i| uniforms[i] >= 1.0 - share(self.profile_of(i)))
            .collect()
    }

    /// Draws a measured value from each group's marginal and returns the
    /// values with the stratified uniforms they were drawn at.
    fn measured(
        &mut self,
        terms: &[(f64, &[f64])],
        noise_sd: f64,
        marginal: impl Fn(&GroupProfile) -> BinnedMarginal,
    ) -> (Vec<f64>, Vec<f64>) {
        let uniforms = self.uniforms(terms, noise_sd);
        let marginals: Vec<BinnedMarginal> =
            self.groups.iter().map(|g| marginal(g.profile)).collect();
        let values = (0..self.patients)
            .map(|i| marginals[self.group_index(i)].value_at(uniforms[i]))
            .collect();
        (values, uniforms)
    }
}

/// Draws the baselines of all patients of `groups`, which together hold
/// the indices `0..n`.
pub(super) fn draw_baselines(rng: &mut ChaCha8Rng, groups: &[TreatmentGroup]) -> Vec<PatientDraw> {
    let patients = groups.iter().map(|g| g.patients.end).max().unwrap_or(0);
    let latent = LatentFactors::draw(rng, patients);
    let mut draws = vec![PatientDraw::default(); patients];
    let mut sampler = Sampler {
        rng,
        groups,
        ranges: groups.iter().map(|g| g.patients.clone()).collect(),
        patients,
    };
    draw_demographics(&mut sampler, &latent, &mut draws);
    draw_liver(&mut sampler, &latent, &mut draws);
    draw_tumor(&mut sampler, &latent, &mut draws);
    draw_hsp90a(&mut sampler, &latent, &mut draws);
    draws
}

fn draw_demographics(sampler: &mut Sampler, latent: &LatentFactors, draws: &mut [PatientDraw]) {
    let age_cut = f64::from(AGE_OLDER_YEARS);
    let (ages, _) = sampler.measured(&[(1.0, &latent.age)], 0.0, |p| {
        BinnedMarginal::with_cut(
            Scale::Linear,
            10.5,
            (25.0, 90.0),
            age_cut,
            p.age_65_or_older,
            0,
        )
    });
    let hbv = sampler.binary(&[(1.0, &latent.viral)], 0.0, |p| p.hbv);
    let male = sampler.binary(&[(0.3, &latent.viral)], 1.0, |p| p.male);
    let diabetes = sampler.binary(&[(0.6, &latent.metabolic), (0.3, &latent.age)], 0.75, |p| {
        p.diabetes
    });
    let hypertension = sampler.binary(
        &[(0.5, &latent.metabolic), (0.45, &latent.age)],
        0.75,
        |p| p.hypertension,
    );
    for (i, draw) in draws.iter_mut().enumerate() {
        draw.age_years = ages[i] as u32;
        draw.hbv = hbv[i];
        draw.male = male[i];
        draw.diabetes = diabetes[i];
        draw.hypertension = hypertension[i];
    }
}

fn draw_liver(sampler: &mut Sampler, latent: &LatentFactors, draws: &mut [PatientDraw]) {
    let cuts = [ALBI_GRADE1_MAX, ALBI_GRADE2_MAX];
    let (scores, albi_uniforms) = sampler.measured(&[(0.85, &latent.liver)], 0.55, |p| {
        BinnedMarginal::fitted(Scale::Linear, (-3.6, -0.6), &cuts, &p.albi_grades, 6)
    });
    for (i, draw) in draws.iter_mut().enumerate() {
        let grade = category(albi_uniforms[i], &sampler.profile_of(i).albi_grades) as u8 + 1;
        let (albumin, bilirubin) = albumin_and_bilirubin(sampler.rng, scores[i], grade);
        draw.albumin_g_l = albumin;
        draw.bilirubin_umol_l = bilirubin;
    }

    let albi_latent: Vec<f64> = albi_uniforms.iter().map(|&u| normal_quantile(u)).collect();
    let child_pugh_b = sampler.binary(&[(0.8, &albi_latent), (0.3, &latent.liver)], 0.55, |p| {
        p.child_pugh_b
    });
    let platelet_terms = [
        (-0.45, &latent.liver[..]),
        (0.15, &latent.tumor),
        (-0.15, &latent.viral),
    ];
    let (platelets, _) = sampler.measured(&platelet_terms, 0.85, |p| {
        let share = p.platelets_100_or_more;
        BinnedMarginal::with_cut(
            Scale::Log,
            0.5,
            (22.0, 700.0),
            PLATELETS_HIGH_1E9_L,
            share,
            0,
        )
    });
    let (leukocytes, _) =
        sampler.measured(&[(-0.3, &latent.liver), (0.25, &latent.tumor)], 0.9, |p| {
            let share = p.leukocytes_4_or_more;
            BinnedMarginal::with_cut(
                Scale::Log,
                0.35,
                (1.2, 25.0),
                LEUKOCYTES_HIGH_1E9_L,
                share,
                2,
            )
        });
    let alt_terms = [
        (0.35, &latent.viral[..]),
        (0.3, &latent.tumor),
        (0.25, &latent.liver),
    ];
    let (alt, _) = sampler.measured(&alt_terms, 0.85, |p| {
        BinnedMarginal::with_cut(
            Scale::Log,
            0.65,
            (7.0, 900.0),
            ALT_HIGH_U_L,
            p.alt_40_or_more,
            0,
        )
    });
    for (i, draw) in draws.iter_mut().enumerate() {
        draw.child_pugh_b = child_pugh_b[i];
        draw.platelets_1e9_l = platelets[i];
        draw.leukocytes_1e9_l = leukocytes[i];
        draw.alt_u_l = alt[i];
    }
}

/// Draws albumin (g/L) and bilirubin (µmol/L), each rounded to 0.1, whose
/// ALBI score is `score` up to rounding and whose ALBI grade is `grade`.
///
/// Bilirubin is drawn first, log-normal around a median that rises with the
/// score and truncated so that the albumin solving the ALBI equation falls in
/// [`ALBUMIN_RANGE_G_L`]; albumin then follows from the equation.
fn albumin_and_bilirubin(rng: &mut ChaCha8Rng, score: f64, grade: u8) -> (f64, f64) {
    let log10_bilirubin_for =
        |albumin: f64| (score - ALBI_ALBUMIN_WEIGHT * albumin) / ALBI_LOG10_BILIRUBIN_WEIGHT;
    let ln10 = std::f64::consts::LN_10;
    let lowest = log10_bilirubin_for(ALBUMIN_RANGE_G_L.0).max(BILIRUBIN_RANGE_UMOL_L.0.log10());
    let highest = log10_bilirubin_for(ALBUMIN_RANGE_G_L.1).min(BILIRUBIN_RANGE_UMOL_L.1.log10());
    let center = 16f64.ln() + 0.9 * (score + 2.2);
    let spread = 0.45;
    let z = truncated_normal_quantile(
        (lowest * ln10 - center) / spread,
        (highest * ln10 - center) / spread,
        rng.random::<f64>(),
    );
    let bilirubin = round_within((center + spread * z).exp(), 1, 0.1, f64::INFINITY);
    let exact_albumin =
        (ALBI_LOG10_BILIRUBIN_WEIGHT * bilirubin.log10() - score) / -ALBI_ALBUMIN_WEIGHT;
    let mut albumin = (exact_albumin * 10.0).round() / 10.0;

    // Rounding can carry a score that sits on a grade boundary across it:
    // step albumin by 0.1 g/L towards the drawn grade (higher albumin lowers
    // the score).
    for _ in 0..20 {
        let rounded_grade = albi_grade_of_score(albi_score(albumin, bilirubin));
        if rounded_grade == grade {
            break;
        }
        let step = if rounded_grade > grade { 0.1 } else { -0.1 };
        albumin = ((albumin + step) * 10.0).round() / 10.0;
    }
    (albumin, bilirubin)
}

fn draw_tumor(sampler: &mut Sampler, latent: &LatentFactors, draws: &mut [PatientDraw]) {
    let stage_uniforms = sampler.uniforms(&[(0.85, &latent.tumor)], 0.55);
    let size_cuts = TUMOR_SIZE_BIN_EDGES_CM;
    let (sizes, _) = sampler.measured(&[(0.7, &latent.tumor)], 0.7, |p| {
        BinnedMarginal::fitted(Scale::Log, (0.8, 24.0), &size_cuts, &p.size_bins, 1)
    });
    let number_uniforms = sampler.uniforms(&[(0.55, &latent.tumor)], 0.85);
    let (afp, _) = sampler.measured(&[(0.6, &latent.tumor), (0.2, &latent.viral)], 0.75, |p| {
        let share = p.afp_400_or_more;
        BinnedMarginal::with_cut(Scale::Log, 2.76, AFP_RANGE_NG_ML, AFP_HIGH_NG_ML, share, 1)
    });
    let (alp, _) = sampler.measured(&[(0.5, &latent.tumor), (0.3, &latent.liver)], 0.8, |p| {
        BinnedMarginal::with_cut(
            Scale::Log,
            0.5,
            (30.0, 1300.0),
            ALP_HIGH_U_L,
            p.alp_125_or_more,
            0,
        )
    });
    for (i, draw) in draws.iter_mut().enumerate() {
        let profile = sampler.profile_of(i);
        draw.bclc_index = category(stage_uniforms[i], &profile.bclc);
        draw.tumor_size_cm = sizes[i];
        draw.tumor_number = tumor_number(number_uniforms[i], profile.multiple_tumors);
        draw.afp_ng_ml = afp[i];
        draw.alp_u_l = alp[i];
    }
    draw_spread(sampler, latent, draws);
}

/// Returns the tumour number at stratified uniform `u`: one lesion below
/// `1 − multiple`, and above it two plus a geometric-like count of further
/// lesions.
fn tumor_number(u: f64, multiple: f64) -> u32 {
    let single = 1.0 - multiple;
    if u < single {
        return 1;
    }
    let within = ((u - single) / multiple).clamp(0.0, 1.0 - 1e-12);
    let extra = (-EXTRA_LESIONS_MEAN * (1.0 - within).ln()).floor() as u32;
    (2 + extra).min(MAX_TUMOR_NUMBER)
}

/// Draws PVTT, N and M, each given to the stage C patients with the highest
/// scores until the group's share is reached.
fn draw_spread(sampler: &mut Sampler, latent: &LatentFactors, draws: &mut [PatientDraw]) {
    let patients = sampler.patients;
    let pvtt = latent_score(sampler.rng, &[(0.5, &latent.tumor)], 0.85, patients);
    let nodes = latent_score(sampler.rng, &[(0.4, &latent.tumor)], 0.9, patients);
    let metastasis = latent_score(sampler.rng, &[(0.5, &latent.tumor)], 0.85, patients);
    let mut flags = [
        vec![false; patients],
        vec![false; patients],
        vec![false; patients],
    ];
    for group in sampler.groups {
        let profile = group.profile;
        let stage_c: Vec<usize> = group
            .patients
            .clone()
            .filter(|&i| draws[i].bclc_index == 2)
            .collect();
        let count = |share: f64| (share * group.patients.len() as f64).round() as usize;
        flag_highest(&pvtt, &stage_c, count(profile.pvtt), &mut flags[0]);
        flag_highest(&nodes, &stage_c, count(profile.lymph_nodes), &mut flags[1]);
        flag_highest(
            &metastasis,
            &stage_c,
            count(profile.metastasis),
            &mut flags[2],
        );
    }
    for (i, draw) in draws.iter_mut().enumerate() {
        draw.pvtt = flags[0][i];
        draw.lymph_nodes = flags[1][i];
        draw.metastasis = flags[2][i];
    }
}

/// Draws HSP90α, log-normal with each group's published mean and standard
/// deviation. Patients are ranked by a score that rises with tumour burden
/// (and so with BCLC stage and tumour number), liver dysfunction, AFP,
/// Child–Pugh B, N and M.
fn draw_hsp90a(sampler: &mut Sampler, latent: &LatentFactors, draws: &mut [PatientDraw]) {
    let as_number = |flag: bool| if flag { 1.0 } else { 0.0 };
    let afp: Vec<f64> = draws
        .iter()
        .map(|d| (d.afp_ng_ml / AFP_HIGH_NG_ML).ln() / 2.76)
        .collect();
    let child_pugh_b: Vec<f64> = draws.iter().map(|d| as_number(d.child_pugh_b)).collect();
    let nodes: Vec<f64> = draws.iter().map(|d| as_number(d.lymph_nodes)).collect();
    let metastasis: Vec<f64> = draws.iter().map(|d| as_number(d.metastasis)).collect();
    let terms = [
        (0.2, &latent.tumor[..]),
        (0.1, &latent.liver),
        (0.2, &afp),
        (0.3, &child_pugh_b),
        (0.25, &metastasis),
        (0.2, &nodes),
    ];
    let (values, _) = sampler.measured(&terms, 0.9, |p| {
        let (mean, sd) = p.hsp90a_mean_sd;
        let log_variance = (1.0 + (sd / mean).powi(2)).ln();
        let center = mean.ln() - log_variance / 2.0;
        BinnedMarginal::unbinned(
            Scale::Log,
            center,
            log_variance.sqrt(),
            HSP90A_RANGE_NG_ML,
            1,
        )
    });
    for (draw, value) in draws.iter_mut().zip(values) {
        draw.hsp90a_ng_ml = value;
    }
}
