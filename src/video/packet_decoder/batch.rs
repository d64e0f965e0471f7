//! Many frames of one clip in one pass (`geoproof frames --at … --at …`): every target
//! is fed up to its own sample and no further; feeding the next target pushes the
//! previous one out of the decoder (a new run's IDR makes it hand over what it holds
//! back), and closing the input at the end flushes the last ones. Nothing waits on a
//! timer to learn how many frames the decoder holds back, and no frame between two
//! targets is converted to RGBA.

use std::collections::{BTreeSet, VecDeque};
use std::time::Instant;

use super::{
    DecodedFrame, GRAB_LIMIT_S, PacketDecoder, READ_ON_LIMIT, STALL, VideoError, group_start,
    read_sample, running, time_limit,
};

/// Decoded frames waiting to be taken, at most this many bytes' worth (a 1080p RGBA
/// frame is 8 MB, a 4K one 33 MB).
const IN_FLIGHT_BYTES: usize = 128 << 20;

impl PacketDecoder {
    /// Frames `indices` (ascending, no repeats) decoded in time order by one process,
    /// each handed to `sink` as it comes out: the same exact frames as
    /// [`PacketDecoder::decoded_frame`]. `sink` returning false stops early. The process
    /// is finished afterwards (its input was closed); the next request starts another.
    /// On an error, the frames already handed over stand; the caller decodes the rest
    /// another way.
    pub fn frames_in_order(
        &mut self,
        indices: &[usize],
        sink: &mut dyn FnMut(DecodedFrame) -> bool,
    ) -> Result<(), VideoError> {
        let result = self.batch(indices, sink);
        self.process = None;
        result
    }

    fn batch(
        &mut self,
        indices: &[usize],
        sink: &mut dyn FnMut(DecodedFrame) -> bool,
    ) -> Result<(), VideoError> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.samples.by_index.len()) {
            return Err(VideoError::Invalid(format!(
                "frame {bad} does not exist (the clip has {})",
                self.table.frame_count()
            )));
        }
        self.process = None;
        let mut process = self.spawn()?;
        // Only the targets are wanted: nothing else is converted to RGBA.
        process.window = (1, 0);
        process.batch = indices.iter().copied().collect();
        self.process = Some(process);
        self.runs = 0;
        let frame_bytes = self.size.0 as usize * self.size.1 as usize * 4;
        let cap = (IN_FLIGHT_BYTES / frame_bytes.max(1)).clamp(2, 32);
        let mut outstanding: BTreeSet<usize> = indices.iter().copied().collect();
        let mut queue: VecDeque<usize> = VecDeque::new();
        let mut targets = indices.iter().copied();
        let mut progress = Instant::now();
        loop {
            while let Some((index, pixels)) = self.next_frame(None)? {
                progress = Instant::now();
                if !self.deliver(index, pixels, &mut outstanding, sink)? {
                    return Ok(());
                }
            }
            queue.retain(|i| outstanding.contains(i));
            if queue.len() < cap {
                match targets.next() {
                    Some(index) => {
                        self.feed_through(index)?;
                        queue.push_back(index);
                        continue;
                    }
                    None => return self.finish(&mut outstanding, sink),
                }
            }
            // As many frames in flight as allowed: wait for one; if the decoder holds
            // them all back, feed it one more sample.
            match self.next_frame(Some(STALL))? {
                Some((index, pixels)) => {
                    progress = Instant::now();
                    if !self.deliver(index, pixels, &mut outstanding, sink)? {
                        return Ok(());
                    }
                }
                None => self.feed_more()?,
            }
            if progress.elapsed() > time_limit(GRAB_LIMIT_S) {
                return Err(VideoError::Timeout {
                    tool: "ffmpeg".into(),
                    seconds: time_limit(GRAB_LIMIT_S).as_secs_f64(),
                });
            }
        }
    }

    /// Feeds target `index` up to its own sample: on in the current run when it is in
    /// the same group or close ahead, else from its keyframe in a new run.
    fn feed_through(&mut self, index: usize) -> Result<(), VideoError> {
        let at = self.samples.by_index[index];
        let start = group_start(&self.samples, index)?;
        let runs = self.runs;
        let p = running(&mut self.process)?;
        if !p.batch.contains(&index) {
            // Fed (wanted) already, with an earlier target.
            return Ok(());
        }
        let reads_on = runs > 0
            && p.run == runs
            && at >= p.next
            && (start <= p.next || at - p.next <= READ_ON_LIMIT);
        if !reads_on {
            let bytes = read_sample(&mut self.file, &self.samples.samples[start])?;
            if !self.samples.holds_idr(&bytes) {
                return Err(VideoError::Invalid(format!(
                    "the keyframe before frame {index} is not an IDR picture"
                )));
            }
            self.runs += 1;
            let p = running(&mut self.process)?;
            p.run = self.runs;
            p.next = start;
            p.pending.clear();
        }
        while self.process.as_ref().is_some_and(|p| p.next <= at) {
            self.feed_next()?;
        }
        Ok(())
    }

    /// One more sample for a decoder that holds every wanted frame back.
    fn feed_more(&mut self) -> Result<(), VideoError> {
        let fed = self.process.as_ref().map_or(0, |p| p.next);
        if fed < self.samples.samples.len() {
            self.feed_next()
        } else {
            self.feed_flush()
        }
    }

    /// Closes the input (the decoder hands over every frame it holds) and takes the
    /// frames still to come.
    fn finish(
        &mut self,
        outstanding: &mut BTreeSet<usize>,
        sink: &mut dyn FnMut(DecodedFrame) -> bool,
    ) -> Result<(), VideoError> {
        if let Some(p) = self.process.as_mut() {
            drop(p.stdin.take());
        }
        let mut progress = Instant::now();
        while let Some(&missing) = outstanding.first() {
            let next = self.next_frame(Some(STALL)).map_err(|e| {
                VideoError::Invalid(format!(
                    "frame {missing} did not come out of the decoder ({e})"
                ))
            })?;
            match next {
                Some((index, pixels)) => {
                    progress = Instant::now();
                    if !self.deliver(index, pixels, outstanding, sink)? {
                        return Ok(());
                    }
                }
                None if progress.elapsed() > time_limit(GRAB_LIMIT_S) => {
                    return Err(VideoError::Timeout {
                        tool: "ffmpeg".into(),
                        seconds: time_limit(GRAB_LIMIT_S).as_secs_f64(),
                    });
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Hands a target that came out to `sink` (once); other frames are dropped.
    fn deliver(
        &self,
        index: usize,
        pixels: Vec<u8>,
        outstanding: &mut BTreeSet<usize>,
        sink: &mut dyn FnMut(DecodedFrame) -> bool,
    ) -> Result<bool, VideoError> {
        if !outstanding.remove(&index) {
            return Ok(true);
        }
        Ok(sink(self.grab(index, pixels)?))
    }
}
