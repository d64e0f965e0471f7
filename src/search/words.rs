//! The first pass: a visual vocabulary of hashed binary words. Each 256-bit descriptor
//! gives one word in each of [`TABLES`] tables, the word being [`WORD_BITS`] fixed bits
//! of the descriptor (the tables use disjoint bits). Two descriptors of one scene point
//! differ in few bits, so they share a word in at least one table with good odds, while
//! unrelated descriptors rarely do. The inverted file lists, for each word, the index
//! entries that contain it; a query votes with the inverse frequency of its words.

use super::base::Feature;

/// Tables (independent vocabularies).
pub const TABLES: usize = 6;
/// Bits per word: 65,536 words per table.
pub const WORD_BITS: usize = 16;
const WORDS: usize = 1 << WORD_BITS;

/// Which descriptor bits make each table's word: a fixed permutation of the 256 bits
/// (seeded; changing it changes [`super::base::INDEX_VERSION`]), taken 16 at a time.
fn bit_positions() -> &'static [[u8; WORD_BITS]; TABLES] {
    static BITS: std::sync::OnceLock<[[u8; WORD_BITS]; TABLES]> = std::sync::OnceLock::new();
    BITS.get_or_init(|| {
        let mut order: Vec<u8> = (0..=255).collect();
        let mut state: u64 = 0x5851_F42D_4C95_7F2D;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        std::array::from_fn(|t| std::array::from_fn(|b| order[t * WORD_BITS + b]))
    })
}

/// The word of `descriptor` in table `table`.
pub fn word(descriptor: &[u64; 4], table: usize) -> usize {
    let mut w = 0usize;
    for (k, &bit) in bit_positions()[table].iter().enumerate() {
        let b = (descriptor[usize::from(bit) / 64] >> (bit % 64)) & 1;
        w |= (b as usize) << k;
    }
    w
}

/// Per table, the entries holding each word (compressed rows: `starts[w]..starts[w+1]`
/// in `entries`), built from the stored features.
pub struct InvertedFile {
    starts: Vec<Vec<u32>>,
    entries: Vec<Vec<u32>>,
    entry_count: usize,
    /// Per entry, 1/√(its features), so feature-rich pictures do not win by number.
    norms: Vec<f32>,
}

impl InvertedFile {
    /// `ranges[e]` is the range of entry `e`'s features in `features`.
    pub fn build(features: &[Feature], ranges: &[std::ops::Range<usize>]) -> InvertedFile {
        let entry_of = |range: &std::ops::Range<usize>| range.clone();
        let mut starts = Vec::with_capacity(TABLES);
        let mut entries = Vec::with_capacity(TABLES);
        // Each feature's words, computed once.
        let words: Vec<[u16; TABLES]> = features
            .iter()
            .map(|f| {
                let d = f.descriptor();
                std::array::from_fn(|t| word(&d, t) as u16)
            })
            .collect();
        for t in 0..TABLES {
            let mut counts = vec![0u32; WORDS + 1];
            for range in ranges.iter().map(entry_of) {
                for w in &words[range] {
                    counts[usize::from(w[t]) + 1] += 1;
                }
            }
            for w in 0..WORDS {
                counts[w + 1] += counts[w];
            }
            let mut fill = counts.clone();
            let mut list = vec![0u32; counts[WORDS] as usize];
            for (e, range) in ranges.iter().enumerate() {
                for w in &words[range.clone()] {
                    let slot = &mut fill[usize::from(w[t])];
                    list[*slot as usize] = e as u32;
                    *slot += 1;
                }
            }
            starts.push(counts);
            entries.push(list);
        }
        let norms = ranges
            .iter()
            .map(|r| 1.0 / (r.len().max(50) as f32).sqrt())
            .collect();
        InvertedFile {
            starts,
            entries,
            entry_count: ranges.len(),
            norms,
        }
    }

    /// Scores of every entry for a query's descriptors: the sum, over the query's words,
    /// of the word's inverse frequency for each entry holding it, over √(entry features).
    pub fn score(&self, query: &[[u64; 4]]) -> Vec<f32> {
        let mut scores = vec![0f32; self.entry_count];
        let n = self.entry_count.max(1) as f32;
        for d in query {
            for t in 0..TABLES {
                let w = word(d, t);
                let (a, b) = (self.starts[t][w] as usize, self.starts[t][w + 1] as usize);
                let holders = &self.entries[t][a..b];
                if holders.is_empty() || holders.len() as f32 >= n {
                    continue;
                }
                let idf = (n / holders.len() as f32).ln();
                let mut last = u32::MAX;
                for &e in holders {
                    // Sorted by entry: count a word once per entry.
                    if e != last {
                        scores[e as usize] += idf;
                        last = e;
                    }
                }
            }
        }
        for (s, norm) in scores.iter_mut().zip(&self.norms) {
            *s *= norm;
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables use disjoint bits: flipping one descriptor bit changes the word of at
    /// most one table, and the tables cover TABLES × WORD_BITS distinct bits.
    #[test]
    fn tables_use_disjoint_bits() {
        let base = [
            0x0123_4567_89AB_CDEF,
            0xFEDC_BA98_7654_3210,
            0x0F0F_0F0F_F0F0_F0F0,
            0x3333_CCCC_5555_AAAA,
        ];
        let words: Vec<usize> = (0..TABLES).map(|t| word(&base, t)).collect();
        let mut covered = 0;
        for bit in 0..256 {
            let mut d = base;
            d[bit / 64] ^= 1 << (bit % 64);
            let changed = (0..TABLES).filter(|&t| word(&d, t) != words[t]).count();
            assert!(changed <= 1, "bit {bit} is in {changed} tables");
            covered += changed;
        }
        assert_eq!(covered, TABLES * WORD_BITS);
    }

    /// A picture sharing a query's descriptors outscores one that does not, and a word
    /// held by every picture counts for nothing.
    #[test]
    fn shared_words_rank_first() {
        let d = |k: u64| {
            [
                k.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                k ^ 0xDEAD_BEEF,
                k.rotate_left(17),
                !k,
            ]
        };
        let features =
            |ks: std::ops::Range<u64>| ks.map(|k| Feature::new(0.0, 0.0, d(k))).collect::<Vec<_>>();
        let mut all = features(0..100);
        all.extend(features(1000..1100));
        let file = InvertedFile::build(&all, &[0..100, 100..200]);
        let query: Vec<[u64; 4]> = (0..40).map(d).collect();
        let scores = file.score(&query);
        assert!(
            scores[0] > 0.0 && scores[1] < scores[0] / 10.0,
            "{scores:?}"
        );
    }
}
