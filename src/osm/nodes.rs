//! Node locations kept on disk during an index build: (id, lon, lat) records sorted by
//! id in an unlinked temporary file, memory-mapped and found by binary search through an
//! in-memory sample of every [`SAMPLE`]th id. Extracts are written sorted by id, so the
//! records go straight to the file; an unsorted one is written as sorted runs of
//! [`RUN`] records, merged from disk.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::Path;

use super::mapped::{self, Mmap};

/// One node's location: its id, then longitude and latitude in 1e-7 degrees, in the high
/// and low halves of the second number (a plain pair of integers, read in place).
type Located = [i64; 2];

fn located(id: i64, lon: i32, lat: i32) -> Located {
    [id, (i64::from(lon) << 32) | i64::from(lat as u32)]
}

fn location(l: &Located) -> [i32; 2] {
    [(l[1] >> 32) as i32, l[1] as i32]
}

/// Records sorted in memory before they are written (64 MB).
const RUN: usize = 1 << 22;
/// One id in this many is kept in memory to narrow the search to a page of records.
const SAMPLE: usize = 256;

/// Writes locations as they come.
pub struct NodeWriter {
    file: BufWriter<File>,
    run: Vec<Located>,
    /// Where each written run starts (records), and whether they are in order.
    runs: Vec<usize>,
    written: usize,
    last: Option<i64>,
    sorted: bool,
}

impl NodeWriter {
    /// A writer over an unlinked temporary file in `dir` (gone when the build ends,
    /// however it ends).
    pub fn new(dir: &Path) -> io::Result<NodeWriter> {
        Ok(NodeWriter {
            file: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            run: Vec::new(),
            runs: Vec::new(),
            written: 0,
            last: None,
            sorted: true,
        })
    }

    pub fn push(&mut self, id: i64, lon: i32, lat: i32) -> io::Result<()> {
        if self.sorted && self.last.is_some_and(|last| id <= last) {
            self.sorted = false;
        }
        self.last = Some(id);
        if self.sorted {
            return self
                .file
                .write_all(bytemuck::bytes_of(&located(id, lon, lat)));
        }
        if self.run.is_empty() {
            self.run.reserve_exact(RUN);
        }
        self.run.push(located(id, lon, lat));
        if self.run.len() == RUN {
            self.flush_run()?;
        }
        Ok(())
    }

    fn flush_run(&mut self) -> io::Result<()> {
        if self.runs.is_empty() {
            // What was written in order before the first id out of order is one run.
            self.runs.push(0);
        }
        self.run.sort_unstable_by_key(|l| l[0]);
        let start = self.file_len()?;
        self.runs.push(start);
        self.file.write_all(bytemuck::cast_slice(&self.run))?;
        self.run.clear();
        Ok(())
    }

    fn file_len(&mut self) -> io::Result<usize> {
        self.file.flush()?;
        Ok(self.file.get_mut().stream_position()? as usize / size_of::<Located>())
    }

    /// The written locations, sorted (runs merged into a second temporary file).
    pub fn finish(mut self, dir: &Path) -> io::Result<NodeLocations> {
        if !self.run.is_empty() {
            self.flush_run()?;
        }
        self.written = self.file_len()?;
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        let map = mapped::map(&file)?;
        if self.runs.len() <= 1 {
            return Ok(NodeLocations::new(map));
        }
        let all: &[Located] = bytemuck::cast_slice(&map[..]);
        let mut bounds = self.runs.clone();
        bounds.push(self.written);
        let runs: Vec<&[Located]> = bounds.windows(2).map(|w| &all[w[0]..w[1]]).collect();
        let mut out = BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?);
        let mut heap: BinaryHeap<std::cmp::Reverse<(i64, usize, usize)>> = runs
            .iter()
            .enumerate()
            .filter_map(|(r, run)| run.first().map(|l| std::cmp::Reverse((l[0], r, 0))))
            .collect();
        let mut last = None;
        while let Some(std::cmp::Reverse((id, r, at))) = heap.pop() {
            // A node given twice keeps its first location.
            if last != Some(id) {
                out.write_all(bytemuck::bytes_of(&runs[r][at]))?;
                last = Some(id);
            }
            if let Some(next) = runs[r].get(at + 1) {
                heap.push(std::cmp::Reverse((next[0], r, at + 1)));
            }
        }
        drop(map);
        let merged = out.into_inner().map_err(|e| e.into_error())?;
        Ok(NodeLocations::new(mapped::map(&merged)?))
    }
}

/// The sorted locations, mapped.
pub struct NodeLocations {
    map: Mmap,
    sample: Vec<i64>,
}

impl NodeLocations {
    fn new(map: Mmap) -> NodeLocations {
        let mut n = NodeLocations {
            map,
            sample: Vec::new(),
        };
        n.sample = n.all().iter().step_by(SAMPLE).map(|l| l[0]).collect();
        n
    }

    fn all(&self) -> &[Located] {
        let bytes = &self.map[..];
        let whole = bytes.len() / size_of::<Located>() * size_of::<Located>();
        bytemuck::cast_slice(&bytes[..whole])
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.all().len()
    }

    /// The node's location, if the extract has it.
    pub fn get(&self, id: i64) -> Option<[i32; 2]> {
        let page = self.sample.partition_point(|s| *s <= id).checked_sub(1)?;
        let all = self.all();
        let run = &all[page * SAMPLE..((page + 1) * SAMPLE).min(all.len())];
        run.binary_search_by_key(&id, |l| l[0])
            .ok()
            .map(|i| location(&run[i]))
    }

    /// Drops the pages read so far from memory (they are read again when needed).
    pub fn release(&self) {
        mapped::release(&self.map);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unsorted_input_give_the_same_lookups() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<i64> = (0..10_000).map(|i| i * 7 + (i % 3)).collect();
        let mut sorted = NodeWriter::new(dir.path()).unwrap();
        for &id in &ids {
            sorted.push(id, id as i32, -(id as i32)).unwrap();
        }
        let sorted = sorted.finish(dir.path()).unwrap();
        let mut shuffled = NodeWriter::new(dir.path()).unwrap();
        for k in 0..ids.len() {
            let id = ids[(k * 7919) % ids.len()];
            shuffled.push(id, id as i32, -(id as i32)).unwrap();
        }
        let shuffled = shuffled.finish(dir.path()).unwrap();
        assert_eq!(sorted.len(), ids.len());
        assert_eq!(shuffled.len(), ids.len());
        for probe in -5..(ids.len() as i64 * 7 + 10) {
            let want = ids
                .binary_search(&probe)
                .ok()
                .map(|_| [probe as i32, -(probe as i32)]);
            assert_eq!(sorted.get(probe), want, "{probe}");
            assert_eq!(shuffled.get(probe), want, "{probe}");
        }
        // Nothing is left in the folder: the files were never linked.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
