//! `geoproof frames`: frame grabs from a video in a case, by time, at an interval or at
//! scene changes, each stored as evidence with its provenance; and a contact sheet.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use geoproof::case::{Case, FrameError, ImportOutcome, OpenVideo, StoredGrab, StoredGrabs};
use geoproof::video::{
    AnalysisOptions, DEFAULT_SCENE_THRESHOLD, DecodedFrame, PacketDecoder, format_timecode,
    parse_time,
};

use super::output::{Outcome, evidence_json, print_json};

#[derive(Debug, Args)]
pub struct FramesArgs {
    case: PathBuf,
    /// The video: an evidence id or a unique prefix of its SHA-256.
    video: String,
    /// A time: seconds (7.5) or a timecode (00:01:02.500), counted from the clip's
    /// start; the frame is the one ffmpeg's accurate seek returns (repeatable).
    #[arg(long = "at", value_name = "TIME", allow_hyphen_values = true)]
    at: Vec<String>,
    /// A frame every this long (2s, 0.5, 00:00:10).
    #[arg(long, value_name = "INTERVAL")]
    every: Option<String>,
    /// The first frame and every scene change (decodes the whole clip once).
    #[arg(long)]
    scenes: bool,
    /// Scene-change sensitivity, 0–1 (ffmpeg's `scene` score; lower finds more).
    #[arg(long, value_name = "X", default_value_t = DEFAULT_SCENE_THRESHOLD, requires = "scenes")]
    threshold: f64,
    /// Write a sheet of the first frame and the scene changes with timecodes.
    #[arg(long, value_name = "OUT.png")]
    contact_sheet: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn frames_command(args: FramesArgs) -> Result<Outcome> {
    if args.at.is_empty() && args.every.is_none() && !args.scenes && args.contact_sheet.is_none() {
        anyhow::bail!(
            "say which frames: --at TIME, --every INTERVAL, --scenes or --contact-sheet OUT.png"
        );
    }
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!("--threshold {} is outside 0–1", args.threshold);
    }
    let mut case = Case::open(&args.case)?;
    let video = case.open_video(&args.video)?;
    let mut wanted: Vec<usize> = Vec::new();
    for text in &args.at {
        let time = parse_time(text).map_err(|e| anyhow::anyhow!("--at: {e}"))?;
        wanted.push(video.frame_at(time)?);
    }
    if let Some(text) = &args.every {
        let step = parse_time(text).map_err(|e| anyhow::anyhow!("--every: {e}"))?;
        if step <= 0 {
            anyhow::bail!("--every {text}: the interval must be longer than 0");
        }
        let mut t = 0;
        while let Some(index) = video.table.frame_at(t) {
            wanted.push(index);
            t += step;
        }
    }
    if args.scenes || args.contact_sheet.is_some() {
        let scenes = scene_frames(
            &mut case,
            &video,
            args.threshold,
            args.contact_sheet.as_ref(),
        )?;
        if args.scenes {
            wanted.extend(scenes);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    wanted.retain(|i| seen.insert(*i));
    let mut by_index = grab_in_time_order(&mut case, &video, &wanted, args.json)?;
    let results: Vec<serde_json::Value> =
        wanted.iter().filter_map(|i| by_index.remove(i)).collect();
    if args.json {
        print_json(&results)?;
    }
    Ok(Outcome::Success)
}

/// Decodes `wanted` with one decoder, in time order, and stores the grabs as evidence in
/// one save. Decoding (ffmpeg, on its own thread) runs while the previous frame is
/// encoded, hashed and written, so the two overlap. Returns each frame's JSON record by
/// index; if a frame fails, the grabs before it are kept and the error says so.
fn grab_in_time_order(
    case: &mut Case,
    video: &OpenVideo,
    wanted: &[usize],
    json_out: bool,
) -> Result<std::collections::HashMap<usize, serde_json::Value>> {
    let mut in_time_order = wanted.to_vec();
    in_time_order.sort_unstable();
    let stored = std::thread::scope(|scope| -> Result<StoredGrabs> {
        // Two frames in flight at most: a 4K RGBA frame is 33 MB.
        let (frames, decoded) = std::sync::mpsc::sync_channel(1);
        let decoding = scope.spawn(move || decode_all(video, &in_time_order, &frames));
        let stored = case.add_frame_grabs(
            video,
            decoded.into_iter().map(
                |(index, frame): (usize, Result<DecodedFrame, FrameError>)| {
                    frame.map_err(|e| (index, e))
                },
            ),
        )?;
        decoding
            .join()
            .map_err(|_| anyhow::anyhow!("the decoding thread stopped unexpectedly"))?;
        Ok(stored)
    })?;
    let mut by_index = std::collections::HashMap::new();
    for grab in &stored.grabs {
        by_index.insert(grab.index, report_grab(video, grab, json_out));
    }
    if let Some(failed) = stored.failed {
        let later = wanted.len() - stored.grabs.len() - 1;
        if json_out {
            let results: Vec<&serde_json::Value> = stored
                .grabs
                .iter()
                .filter_map(|g| by_index.get(&g.index))
                .collect();
            print_json(&results)?;
        }
        anyhow::bail!(
            "{failed}; {} other grab(s) stored, {later} not taken",
            stored.grabs.len()
        );
    }
    Ok(by_index)
}

/// Frames `in_time_order` from the decoder that stays open (one pass), the ones it could
/// not give each by its own ffmpeg run; sent as they come, up to the first failure.
fn decode_all(
    video: &OpenVideo,
    in_time_order: &[usize],
    frames: &std::sync::mpsc::SyncSender<(usize, Result<DecodedFrame, FrameError>)>,
) {
    let mut decoder = open_decoder(video);
    let mut left: std::collections::BTreeSet<usize> = in_time_order.iter().copied().collect();
    if let Some(d) = decoder.as_mut() {
        let mut receiver_gone = false;
        let result = d.frames_in_order(in_time_order, &mut |frame| {
            left.remove(&frame.index);
            receiver_gone = frames.send((frame.index, Ok(frame))).is_err();
            !receiver_gone
        });
        if receiver_gone {
            return;
        }
        if let Err(e) = result {
            log::info!(
                "{}: {} frame(s) decoded one by one ({e})",
                video.path.display(),
                left.len()
            );
        }
    }
    for index in left {
        let frame = decode(video, &mut decoder, index);
        let failed = frame.is_err();
        if frames.send((index, frame)).is_err() || failed {
            break;
        }
    }
}

/// Prints one stored grab's line (and its damage warning) and returns its JSON record.
fn report_grab(video: &OpenVideo, grab: &StoredGrab, json_out: bool) -> serde_json::Value {
    let index = grab.index;
    let (status, record) = match &grab.outcome {
        ImportOutcome::Added(r) => ("added", r),
        ImportOutcome::Duplicate(r) => ("duplicate", r),
    };
    if let Some(damage) = &grab.damage {
        eprintln!(
            "warning: {}: frame {index} may be damaged: {damage}",
            video.path.display()
        );
    }
    if !json_out {
        println!(
            "{status:<9} {}  frame {index} at {}  {}×{}  {}",
            record.short_id(),
            format_timecode(video.table.time_us(index)),
            record.width,
            record.height,
            record.original_name
        );
    }
    let mut value = evidence_json(record);
    value["status"] = json!(status);
    value
}

/// The decoder that stays open for this clip, or `None` (each frame is then decoded by
/// its own ffmpeg run, as exactly) with the reason logged.
fn open_decoder(video: &OpenVideo) -> Option<PacketDecoder> {
    let rotation = video.record.video.as_ref().map_or(0, |v| v.rotation_deg);
    PacketDecoder::open(
        video.ffmpeg,
        &video.path,
        &video.table,
        video.size(),
        rotation,
    )
    .map_err(|reason| {
        log::info!(
            "{}: one ffmpeg run per frame ({reason})",
            video.path.display()
        );
    })
    .ok()
}

/// Frame `index` from the open decoder, or from its own ffmpeg run when there is none or
/// it fails (damage, a keyframe it cannot start from): that run reports the cause.
fn decode(
    video: &OpenVideo,
    decoder: &mut Option<PacketDecoder>,
    index: usize,
) -> Result<DecodedFrame, FrameError> {
    if let Some(d) = decoder.as_mut() {
        match d.decoded_frame(index) {
            Ok(frame) => return Ok(frame),
            Err(e) => log::info!(
                "{}: frame {index} decoded by its own ffmpeg run ({e})",
                video.path.display()
            ),
        }
    }
    video.decode(index)
}

/// Runs (or reuses) the scene analysis, stores it, writes the contact sheet if asked,
/// and returns the frames of the sheet (frame 0 and every scene change).
fn scene_frames(
    case: &mut Case,
    video: &OpenVideo,
    threshold: f64,
    sheet: Option<&PathBuf>,
) -> Result<Vec<usize>> {
    eprintln!("analysing {} …", video.record.original_name);
    let mut last_percent = 0;
    let (analysis, thumbnails) = video.analyse(
        AnalysisOptions {
            scene_threshold: threshold,
        },
        &mut |done, total| {
            let percent = done * 100 / total.max(1);
            if percent >= last_percent + 25 {
                last_percent = percent;
                eprintln!("  {percent} %");
            }
            true
        },
    )?;
    let frames: Vec<usize> = geoproof::video::contact_sheet(&analysis)
        .into_iter()
        .map(|i| i as usize)
        .collect();
    if let Some(out) = sheet {
        let tiles: Vec<(String, image::RgbImage)> = thumbnails
            .into_iter()
            .filter(|(i, _)| frames.contains(i))
            .map(|(i, image)| {
                let label = format!("{}  #{i}", format_timecode(video.table.time_us(i)));
                (label, image)
            })
            .collect();
        let title = format!(
            "{} — {} scenes (threshold {threshold}), sha256 {}",
            video.record.original_name,
            tiles.len(),
            video.record.short_id()
        );
        let png = geoproof::export::contact_sheet::render_png(&title, &tiles)
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        geoproof::case::store::write_atomic(out, &png, false)
            .with_context(|| format!("{}: contact sheet not written", out.display()))?;
        eprintln!("contact sheet: {} ({} frames)", out.display(), tiles.len());
    }
    if case.read_only_reason().is_none() {
        case.set_video_analysis(&video.record.sha256, analysis)?;
    }
    Ok(frames)
}
