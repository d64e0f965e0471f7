//! Where every frame of a clip is: presentation timestamps read from the container's
//! packets (one demux pass, no decoding), and the arithmetic that maps a time to the
//! frame ffmpeg's accurate seek returns for it and back.

use serde::{Deserialize, Serialize};

use super::error::VideoError;
use super::timecode::format_timecode;

/// A time base such as 1/15360 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rational {
    pub num: i64,
    pub den: i64,
}

impl Rational {
    /// Parses `1/15360`.
    pub fn parse(text: &str) -> Option<Rational> {
        let (n, d) = text.split_once('/')?;
        let (num, den) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
        (num > 0 && den > 0).then_some(Rational { num, den })
    }

    pub fn seconds(self, ticks: i64) -> f64 {
        ticks as f64 * self.num as f64 / self.den as f64
    }

    /// Ticks → microseconds, rounded to nearest (ties away from zero), like
    /// `av_rescale_q`.
    pub fn ticks_to_us(self, ticks: i64) -> i64 {
        rescale_nearest(ticks, self.num * 1_000_000, self.den)
    }

    /// Microseconds → ticks, rounded to nearest like `av_rescale_q`.
    pub fn us_to_ticks(self, us: i64) -> i64 {
        rescale_nearest(us, self.den, self.num * 1_000_000)
    }
}

impl std::fmt::Display for Rational {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// `a * b / c` rounded to nearest, ties away from zero, without overflow.
fn rescale_nearest(a: i64, b: i64, c: i64) -> i64 {
    let n = i128::from(a) * i128::from(b);
    let c = i128::from(c);
    let r = if n >= 0 {
        (n + c / 2) / c
    } else {
        -((-n + c / 2) / c)
    };
    r.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Every frame's presentation timestamp of one video stream, in presentation order.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameTable {
    pub stream_index: u32,
    pub time_base: Rational,
    /// The file's start time (ffmpeg's `start_time`, the earliest timestamp of any
    /// stream), microseconds; times are counted from here.
    pub start_us: i64,
    /// Presentation timestamps in ticks, ascending, without repeats.
    pub pts: Vec<i64>,
    /// Indices (into `pts`) of the frames the container marks as keyframes.
    pub keyframes: Vec<usize>,
    /// Packets without any timestamp (damaged or a container that has none): they are
    /// not counted as frames.
    pub untimed_packets: usize,
}

impl FrameTable {
    /// Builds the table from ffprobe's `pts,dts,flags` lines.
    pub fn from_packets(
        stream_index: u32,
        time_base: Rational,
        start_us: i64,
        csv: &str,
    ) -> FrameTable {
        let mut frames: Vec<(i64, bool)> = Vec::new();
        let mut untimed_packets = 0;
        for line in csv.lines() {
            let mut fields = line.split(',');
            let pts = fields.next().and_then(|f| f.trim().parse::<i64>().ok());
            let dts = fields.next().and_then(|f| f.trim().parse::<i64>().ok());
            let flags = fields.next().unwrap_or("");
            let key = flags.starts_with('K');
            // MP4 edit lists mark packets before the start to be decoded but never shown.
            if flags.contains('D') {
                continue;
            }
            match pts.or(dts) {
                Some(t) => frames.push((t, key)),
                None if line.trim().is_empty() => {}
                None => untimed_packets += 1,
            }
        }
        frames.sort_by_key(|(t, _)| *t);
        frames.dedup_by_key(|(t, _)| *t);
        let keyframes = frames
            .iter()
            .enumerate()
            .filter_map(|(i, (_, key))| key.then_some(i))
            .collect();
        FrameTable {
            stream_index,
            time_base,
            start_us,
            pts: frames.into_iter().map(|(t, _)| t).collect(),
            keyframes,
            untimed_packets,
        }
    }

    pub fn frame_count(&self) -> usize {
        self.pts.len()
    }

    /// The frame ffmpeg's accurate seek returns for `time_us` after the start: the
    /// first whose timestamp is at or after the time, rescaled the way ffmpeg rescales
    /// it. `None` beyond the last frame.
    pub fn frame_at(&self, time_us: i64) -> Option<usize> {
        let target = self
            .time_base
            .us_to_ticks(time_us.saturating_add(self.start_us));
        let index = self.pts.partition_point(|&p| p < target);
        (index < self.pts.len()).then_some(index)
    }

    /// Like [`FrameTable::frame_at`], with the refusal for a time past the end.
    pub fn frame_at_or_err(&self, time_us: i64) -> Result<usize, VideoError> {
        self.frame_at(time_us).ok_or_else(|| VideoError::BeyondEnd {
            time: format_timecode(time_us),
            last: self
                .pts
                .len()
                .checked_sub(1)
                .map_or_else(|| "no frames".into(), |i| format_timecode(self.time_us(i))),
        })
    }

    /// A frame's time after the start, microseconds (rounded to nearest).
    pub fn time_us(&self, index: usize) -> i64 {
        self.time_base.ticks_to_us(self.pts[index]) - self.start_us
    }

    /// A time that selects exactly frame `index` (its own time when that rounds back to
    /// it, otherwise the nearest microsecond that does).
    pub fn seek_us(&self, index: usize) -> i64 {
        let t = self.time_us(index);
        [t, t + 1, t - 1, t + 2, t - 2]
            .into_iter()
            .find(|&c| self.frame_at(c) == Some(index))
            .unwrap_or(t)
    }

    /// Average frames per second over the clip.
    pub fn average_fps(&self) -> Option<f64> {
        let (first, last) = (*self.pts.first()?, *self.pts.last()?);
        let span = self.time_base.seconds(last - first);
        (self.pts.len() > 1 && span > 0.0).then(|| (self.pts.len() - 1) as f64 / span)
    }

    /// Whether frame durations differ by more than timestamp rounding explains.
    pub fn variable_frame_rate(&self) -> bool {
        let mut durations: Vec<i64> = self.pts.windows(2).map(|w| w[1] - w[0]).collect();
        if durations.len() < 2 {
            return false;
        }
        durations.sort_unstable();
        let median = durations[durations.len() / 2];
        let tolerance = (median / 100).max(2);
        durations[durations.len() - 1] - durations[0] > tolerance
    }

    /// The keyframe at or before frame `index` (where decoding for it starts).
    pub fn keyframe_before(&self, index: usize) -> Option<usize> {
        let k = self.keyframes.partition_point(|&i| i <= index);
        k.checked_sub(1).map(|k| self.keyframes[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pts: &[i64], tb: Rational, start_us: i64) -> FrameTable {
        let csv: String = pts.iter().map(|p| format!("{p},0,__\n")).collect();
        FrameTable::from_packets(0, tb, start_us, &csv)
    }

    const MP4_30FPS: Rational = Rational { num: 1, den: 15360 };

    #[test]
    fn decoding_order_becomes_presentation_order() {
        let t = FrameTable::from_packets(
            0,
            MP4_30FPS,
            0,
            "-512,-1536,KD\n0,-1024,K_\n2048,-512,__\n1024,0,__\n512,512,__\n,,__\n",
        );
        assert_eq!(
            t.pts,
            vec![0, 512, 1024, 2048],
            "the discarded packet is no frame"
        );
        assert_eq!(t.keyframes, vec![0]);
        assert_eq!(t.untimed_packets, 1);
    }

    #[test]
    fn a_time_selects_the_frame_ffmpeg_seeks_to() {
        // Values read from ffmpeg 5.1 on a 30 fps clip with time base 1/15360:
        // -ss 0.0333 → 1, 0.033334 → 1 (rounds to tick 512), 0.05 → 2, 0.0667 → 3.
        let t = table(&(0..120).map(|i| i * 512).collect::<Vec<_>>(), MP4_30FPS, 0);
        assert_eq!(t.frame_at(33_300), Some(1));
        assert_eq!(t.frame_at(33_334), Some(1));
        assert_eq!(t.frame_at(50_000), Some(2));
        assert_eq!(t.frame_at(66_700), Some(3));
        assert_eq!(t.frame_at(1_016_600), Some(31));
        assert_eq!(
            t.frame_at(3_966_700),
            None,
            "past the last frame (3.96667 s)"
        );
        assert!(t.frame_at_or_err(5_000_000).is_err());
    }

    #[test]
    fn times_count_from_the_start_time() {
        // MPEG-TS: 90 kHz, first frame at 1.466667 s.
        let tb = Rational { num: 1, den: 90000 };
        let t = table(
            &(0..60).map(|i| 132_000 + i * 3000).collect::<Vec<_>>(),
            tb,
            1_466_667,
        );
        assert_eq!(t.frame_at(0), Some(0));
        assert_eq!(t.frame_at(1_000_000), Some(30));
        assert_eq!(t.time_us(30), 1_000_000);
    }

    #[test]
    fn every_frame_is_reached_by_its_seek_time() {
        for tb in [
            MP4_30FPS,
            Rational { num: 1, den: 1000 },
            Rational {
                num: 1001,
                den: 30000,
            },
        ] {
            let pts: Vec<i64> = (0..300)
                .map(|i| tb.us_to_ticks(i * 1_000_000 / 30))
                .collect();
            let t = table(&pts, tb, 0);
            for i in 0..t.frame_count() {
                assert_eq!(t.frame_at(t.seek_us(i)), Some(i), "tb {tb} frame {i}");
            }
        }
    }

    #[test]
    fn frame_rate_and_its_variability() {
        let cfr = table(&(0..120).map(|i| i * 512).collect::<Vec<_>>(), MP4_30FPS, 0);
        assert!((cfr.average_fps().unwrap() - 30.0).abs() < 1e-9);
        assert!(!cfr.variable_frame_rate());
        // Matroska's millisecond ticks: 33, 33, 34 ms is still a constant rate.
        let mkv = table(
            &(0..90).map(|i| i * 1000 / 30).collect::<Vec<_>>(),
            Rational { num: 1, den: 1000 },
            0,
        );
        assert!(!mkv.variable_frame_rate());
        let mut vfr: Vec<i64> = (0..30).map(|i| i * 512).collect();
        vfr.extend((0..30).map(|i| 30 * 512 + i * 1024));
        assert!(table(&vfr, MP4_30FPS, 0).variable_frame_rate());
    }

    #[test]
    fn keyframe_before_a_frame() {
        let mut t = table(&(0..100).map(|i| i * 512).collect::<Vec<_>>(), MP4_30FPS, 0);
        t.keyframes = vec![0, 25, 50];
        assert_eq!(t.keyframe_before(24), Some(0));
        assert_eq!(t.keyframe_before(25), Some(25));
        assert_eq!(t.keyframe_before(99), Some(50));
    }
}
