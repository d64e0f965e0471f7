//! Reading a clip's frame table: from an MP4/MOV's own sample tables when they can be
//! read exactly (`mp4_index`), else from ffprobe's packet list. Apart from `frames.rs`,
//! which holds the table and its arithmetic, so `mp4_index` can build tables without
//! `frames` depending on it.

use std::path::Path;

use super::error::VideoError;
use super::frames::{FrameTable, Rational};
use super::tool::{Ffmpeg, PROBE_LIMIT_S, args, input_arg, time_limit};

impl FrameTable {
    /// The frame table of stream `stream_index`: from an MP4/MOV's own sample tables
    /// when they can be read exactly, else from ffprobe's packet list.
    pub fn read(
        ff: &Ffmpeg,
        path: &Path,
        stream_index: u32,
        time_base: Rational,
        start_us: i64,
    ) -> Result<FrameTable, VideoError> {
        if let Some(table) = super::mp4_index::read_table(path, stream_index, start_us)
            .filter(|t| t.time_base == time_base && !t.pts.is_empty())
        {
            return Ok(table);
        }
        FrameTable::read_with_ffprobe(ff, path, stream_index, time_base, start_us)
    }

    /// Reads the packet timestamps of stream `stream_index` with ffprobe (a demux pass
    /// over the whole file).
    pub fn read_with_ffprobe(
        ff: &Ffmpeg,
        path: &Path,
        stream_index: u32,
        time_base: Rational,
        start_us: i64,
    ) -> Result<FrameTable, VideoError> {
        let mut list = args([
            "-v",
            "error",
            "-select_streams",
            &stream_index.to_string(),
            "-show_entries",
            "packet=pts,dts,flags",
            "-of",
            "csv=p=0",
        ]);
        list.push(input_arg(path));
        let out = ff.run_ffprobe(&list, time_limit(PROBE_LIMIT_S))?;
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(FrameTable::from_packets(
            stream_index,
            time_base,
            start_us,
            &text,
        ))
    }
}
