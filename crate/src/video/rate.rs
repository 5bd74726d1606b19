//! The stream frame rate exactly as FFmpeg 5.1's libavformat sets `avg_frame_rate`, because the
//! vPDQ reference picks one frame every `(int)avg_frame_rate` frames.
//!
//! Three sources, as in FFmpeg: the MP4 sample durations (mov.c: frames × timescale / total
//! duration), Matroska's DefaultDuration (matroskadec.c), and, when the container says nothing,
//! the estimate `avformat_find_stream_info` makes from the first packets (libavformat/demux.c:
//! `ff_rfps_add_frame`, `ff_rfps_calculate` and the average-rate guess), ported in [`Probe`].

use super::rational::{av_gcd, av_reduce, q2d, rescale_rnd, Round};

const INT_MAX: i64 = i32::MAX as i64;

/// A frame rate as FFmpeg's AVRational: (num, den).
pub(crate) type Rate = (i64, i64);

/// mov.c, mov_read_header: `av_reduce(time_scale * nb_frames_for_fps, duration_for_fps, INT_MAX)`
/// when both are positive.
pub(crate) fn from_totals(timescale: i64, frames: i64, duration: i64) -> Option<(i64, i64)> {
    if frames <= 0 || duration <= 0 {
        return None;
    }
    let (n, d, _) = av_reduce(timescale.wrapping_mul(frames), duration, INT_MAX);
    Some((n, d))
}

/// matroskadec.c: `av_reduce(1000000000, default_duration, 30000)` (halved when it exceeds
/// INT64_MAX).
pub(crate) fn from_default_duration(nanoseconds: u64) -> Option<(i64, i64)> {
    if nanoseconds == 0 {
        return None;
    }
    let div: u64 = if nanoseconds <= i64::MAX as u64 { 1 } else { 2 };
    let (n, d, _) = av_reduce(
        1_000_000_000 / div as i64,
        (nanoseconds / div) as i64,
        30000,
    );
    Some((n, d))
}

/// demux.c: MAX_STD_TIMEBASES and get_std_framerate (rates in units of 1/(12*1001)).
const MAX_STD_TIMEBASES: usize = 30 * 12 + 30 + 3 + 6;

fn std_framerate(i: usize) -> i64 {
    let i = i as i64;
    if i < 30 * 12 {
        return (i + 1) * 1001;
    }
    let i = i - 30 * 12;
    if i < 30 {
        return (i + 31) * 1001 * 12;
    }
    let i = i - 30;
    if i < 3 {
        return [80, 120, 240][i as usize] * 1001 * 12;
    }
    let i = i - 3;
    [24, 30, 60, 12, 15, 48][i as usize] * 1000 * 12
}

/// What FFmpeg's probing loop learns about one video stream from its first packets, fed in the
/// order the demuxer returns them. Exact for the arithmetic; the point where FFmpeg stops reading
/// (which also depends on the decoder and on other streams) is approximated by its frame-count
/// rule, which only matters when the frame durations vary.
pub(crate) struct Probe {
    tb_num: i64,
    tb_den: i64,
    /// tb_unreliable(): true for H.264/H.265 and for any time base finer than 1/100 s.
    unreliable: bool,
    /// fps_analyze_framecount: the increasing timestamps FFmpeg waits for.
    wanted: i64,
    nb_frames: i64,
    last_dts: Option<i64>,
    duration_error: Option<Box<[[[f64; MAX_STD_TIMEBASES]; 2]; 2]>>,
    rfps_duration_sum: i64,
    duration_count: i64,
    duration_gcd: i64,
    codec_info_duration: i64,
    codec_info_duration_fields: i64,
    fps_first_dts: Option<i64>,
    fps_first_dts_idx: i64,
    fps_last_dts: Option<i64>,
    fps_last_dts_idx: i64,
    done: bool,
}

/// max_analyze_duration's default: 5 s in AV_TIME_BASE units.
const MAX_ANALYZE: i64 = 5_000_000;

impl Probe {
    /// `h26x`: the codec is H.264 or H.265 (tb_unreliable says yes for those whatever the time
    /// base). The time base is FFmpeg's for the stream (1/timescale for MP4, TimestampScale/1e9
    /// for Matroska).
    pub(crate) fn new(tb_num: i64, tb_den: i64, h26x: bool) -> Probe {
        let tb_num = tb_num.max(1);
        let tb_den = tb_den.max(1);
        let unreliable = h26x || tb_den >= 101 * tb_num || tb_den < 5 * tb_num;
        let mut wanted = 20;
        if q2d(tb_num, tb_den) > 0.0005 {
            wanted *= 2;
        }
        if !unreliable {
            wanted = 0;
        }
        Probe {
            tb_num,
            tb_den,
            unreliable,
            wanted,
            nb_frames: 0,
            last_dts: None,
            duration_error: None,
            rfps_duration_sum: 0,
            duration_count: 0,
            duration_gcd: 0,
            codec_info_duration: 0,
            codec_info_duration_fields: 0,
            fps_first_dts: None,
            fps_first_dts_idx: 0,
            fps_last_dts: None,
            fps_last_dts_idx: 0,
            done: false,
        }
    }

    /// Whether FFmpeg would have stopped reading packets by now.
    pub(crate) fn done(&self) -> bool {
        self.done
    }

    /// One packet: its decode timestamp (None where FFmpeg has none) and its duration as
    /// FFmpeg's packet carries it during probing (0 when unknown).
    pub(crate) fn add(&mut self, dts: Option<i64>, duration: i64) {
        if self.done {
            return;
        }
        if let Some(dts) = dts {
            if self.nb_frames > 1 {
                // Non-increasing or jumping timestamps restart the span measurement.
                if self.fps_last_dts.is_some_and(|last| last >= dts) {
                    self.fps_first_dts = None;
                    self.fps_last_dts = None;
                }
                if let (Some(first), Some(last)) = (self.fps_first_dts, self.fps_last_dts) {
                    if self.fps_last_dts_idx > self.fps_first_dts_idx {
                        let jump = (dts as u64).wrapping_sub(last as u64) / 1000;
                        let average = (last as u64).wrapping_sub(first as u64)
                            / (self.fps_last_dts_idx - self.fps_first_dts_idx) as u64;
                        if jump > average {
                            self.fps_first_dts = None;
                            self.fps_last_dts = None;
                        }
                    }
                }
                if self.fps_first_dts.is_none() {
                    self.fps_first_dts = Some(dts);
                    self.fps_first_dts_idx = self.nb_frames;
                }
                self.fps_last_dts = Some(dts);
                self.fps_last_dts_idx = self.nb_frames;
            }
        }
        if self.nb_frames > 1 {
            let mut t = rescale_rnd(
                self.codec_info_duration,
                self.tb_num * 1_000_000,
                self.tb_den,
                Round::NearInf,
            )
            .unwrap_or(i64::MAX);
            if t == 0 && self.nb_frames > 30 {
                if let (Some(first), Some(last)) = (self.fps_first_dts, self.fps_last_dts) {
                    let span = last.saturating_sub(first);
                    t = t.max(
                        rescale_rnd(span, self.tb_num * 1_000_000, self.tb_den, Round::NearInf)
                            .unwrap_or(i64::MAX),
                    );
                }
            }
            if t >= MAX_ANALYZE {
                self.done = true;
                return;
            }
            if duration > 0 && duration < i64::MAX - self.codec_info_duration {
                self.codec_info_duration += duration;
                // Two fields per frame: repeat_pict + 1 for H.264 frame pictures, 2 otherwise.
                self.codec_info_duration_fields += 2;
            }
        }
        self.rfps_add_frame(dts);
        self.nb_frames += 1;
        if self.duration_count >= self.wanted && self.nb_frames >= 3 {
            self.done = true;
        }
    }

    /// ff_rfps_add_frame.
    fn rfps_add_frame(&mut self, ts: Option<i64>) {
        if let (Some(ts), Some(last)) = (ts, self.last_dts) {
            if ts > last && (ts as u64).wrapping_sub(last as u64) < i64::MAX as u64 {
                let dts = ts as f64 * q2d(self.tb_num, self.tb_den);
                let duration = ts - last;
                let errors = self
                    .duration_error
                    .get_or_insert_with(|| Box::new([[[0.0; MAX_STD_TIMEBASES]; 2]; 2]));
                for i in 0..MAX_STD_TIMEBASES {
                    if errors[0][1][i] < 1e10 {
                        let framerate = std_framerate(i) as f64;
                        let sdts = dts * framerate / (1001.0 * 12.0);
                        for (j, error_j) in errors.iter_mut().enumerate() {
                            let half = j as f64 * 0.5;
                            let ticks = (sdts + half).round_ties_even();
                            let error = sdts - ticks + half;
                            error_j[0][i] += error;
                            error_j[1][i] += error * error;
                        }
                    }
                }
                if self.rfps_duration_sum <= i64::MAX - duration {
                    self.duration_count += 1;
                    self.rfps_duration_sum += duration;
                }
                if self.duration_count % 10 == 0 {
                    let n = self.duration_count as f64;
                    for i in 0..MAX_STD_TIMEBASES {
                        if errors[0][1][i] < 1e10 {
                            let a0 = errors[0][0][i] / n;
                            let error0 = errors[0][1][i] / n - a0 * a0;
                            let a1 = errors[1][0][i] / n;
                            let error1 = errors[1][1][i] / n - a1 * a1;
                            if error0 > 0.04 && error1 > 0.04 {
                                errors[0][1][i] = 2e10;
                                errors[1][1][i] = 2e10;
                            }
                        }
                    }
                }
                // The first four differences may jitter.
                if self.duration_count > 3 {
                    self.duration_gcd = av_gcd(self.duration_gcd, duration);
                }
            }
        }
        if ts.is_some() {
            self.last_dts = ts;
        }
    }

    /// ff_rfps_calculate: the stream's r_frame_rate when the timestamps show one, else None.
    fn rfps(&self) -> Option<(i64, i64)> {
        let (tb_num, tb_den) = (self.tb_num, self.tb_den);
        let mut r: Option<(i64, i64)> = None;
        if self.unreliable
            && self.duration_count > 15
            && self.duration_gcd > 1.max(tb_den / (500 * tb_num))
            && self.duration_gcd < i64::MAX / tb_num
        {
            let (n, d, _) = av_reduce(tb_den, tb_num * self.duration_gcd, INT_MAX);
            r = Some((n, d));
        }
        if self.duration_count > 1 && r.is_none() && self.unreliable {
            if let Some(errors) = &self.duration_error {
                let mut num = 0i64;
                let mut best_error = 0.01;
                let ref_rate = (tb_den, tb_num);
                let tb = q2d(tb_num, tb_den);
                for j in 0..MAX_STD_TIMEBASES {
                    let std = std_framerate(j);
                    if self.codec_info_duration != 0
                        && self.codec_info_duration as f64 * tb < (1001.0 * 11.5) / std as f64
                    {
                        continue;
                    }
                    if self.codec_info_duration == 0 && std < 1001 * 12 {
                        continue;
                    }
                    let mean = tb * self.rfps_duration_sum as f64 / (self.duration_count as f64);
                    if mean < (1001.0 * 12.0 * 0.8) / std as f64 {
                        continue;
                    }
                    for k in errors.iter() {
                        let n = self.duration_count as f64;
                        let a = k[0][j] / n;
                        let error = k[1][j] / n - a * a;
                        if error < best_error && best_error > 0.000000001 {
                            best_error = error;
                            num = std;
                        }
                    }
                }
                if num != 0 && (num as f64 / (12.0 * 1001.0)) < 1.01 * q2d(ref_rate.0, ref_rate.1) {
                    let (n, d, _) = av_reduce(num, 12 * 1001, INT_MAX);
                    r = Some((n, d));
                }
            }
        }
        r
    }

    /// FFmpeg's r_frame_rate: [`Probe::rfps`], else the codec's own rate (`codec_rate`, already
    /// doubled for codecs that count fields, as avformat_find_stream_info doubles it) when the
    /// time base is fine enough for it, else one frame a time-base unit. The reference falls back
    /// to it when there is no average rate: Chrome's MediaRecorder WebM, for one, has none, and
    /// then r_frame_rate is 1000/1 (a millisecond time base), so only its first frame is hashed.
    pub(crate) fn r_frame_rate(&self, codec_rate: Option<(i64, i64)>) -> (i64, i64) {
        if let Some(r) = self.rfps() {
            return r;
        }
        match codec_rate {
            // time_base <= 1 / fr
            Some((n, d))
                if n > 0
                    && d > 0
                    && (self.tb_num as i128) * (n as i128)
                        <= (d as i128) * (self.tb_den as i128) =>
            {
                (n, d)
            }
            _ => (self.tb_den, self.tb_num),
        }
    }

    /// ff_rfps_calculate, then the average-rate guess of avformat_find_stream_info: the stream's
    /// avg_frame_rate, or None where FFmpeg leaves it 0/0.
    pub(crate) fn avg_frame_rate(&self) -> Option<(i64, i64)> {
        let (tb_num, tb_den) = (self.tb_num, self.tb_den);
        let r = self.rfps();
        let mut avg: Option<(i64, i64)> = None;
        if let Some((rn, rd)) = r {
            if self.rfps_duration_sum != 0
                && self.codec_info_duration <= 0
                && self.duration_count > 2
                && (1.0 / (q2d(rn, rd) * q2d(tb_num, tb_den))
                    - self.rfps_duration_sum as f64 / self.duration_count as f64)
                    .abs()
                    <= 1.0
            {
                avg = Some((rn, rd));
            }
        }
        if avg.is_none() && self.codec_info_duration_fields != 0 && self.codec_info_duration != 0 {
            if self.codec_info_duration >= i64::MAX / tb_num / 2
                || self.codec_info_duration_fields >= i64::MAX / tb_den
                || self.codec_info_duration < 0
            {
                return None;
            }
            let (n, d, _) = av_reduce(
                self.codec_info_duration_fields * tb_den,
                self.codec_info_duration * 2 * tb_num,
                60000,
            );
            // Round to a standard rate within 1 % of the estimate.
            let mut best_fps = 0;
            let mut best_error = 0.01;
            for j in 0..MAX_STD_TIMEBASES {
                let std = std_framerate(j);
                let error = (q2d(n, d) / q2d(std, 12 * 1001) - 1.0).abs();
                if error < best_error {
                    best_error = error;
                    best_fps = std;
                }
            }
            avg = if best_fps != 0 {
                let (bn, bd, _) = av_reduce(best_fps, 12 * 1001, INT_MAX);
                Some((bn, bd))
            } else {
                Some((n, d))
            };
        }
        avg.filter(|&(n, d)| n > 0 && d > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_rates() {
        assert_eq!(std_framerate(0), 1001);
        assert_eq!(std_framerate(30 * 12 - 1), 360 * 1001);
        assert_eq!(std_framerate(MAX_STD_TIMEBASES - 5), 30 * 1000 * 12);
    }

    #[test]
    fn millisecond_timestamps_without_durations() {
        // VP9 in WebM without DefaultDuration: 29.97 fps rounded to milliseconds.
        let mut p = Probe::new(1, 1000, false);
        let mut i = 0i64;
        while !p.done() {
            p.add(Some((i * 1001 + 15) / 30), 0);
            i += 1;
        }
        assert_eq!(p.avg_frame_rate(), Some((30000, 1001)));
    }

    #[test]
    fn millisecond_durations_of_h264() {
        // H.264 in Matroska whose SPS says 29.97 fps: every packet lasts 33 ms.
        let mut p = Probe::new(1, 1000, true);
        let mut i = 0i64;
        while !p.done() {
            p.add(Some((i * 1001 + 15) / 30), 33);
            i += 1;
        }
        assert_eq!(p.avg_frame_rate(), Some((1000, 33)));
    }
}
