//! The keys of an LSH index: unique strings in one text arena, found by content.
//!
//! Per key this costs its bytes, an 8-byte end offset and one 4-byte slot (plus a control byte)
//! of a hash table, instead of a `String` and a map entry of its own.

use hashbrown::HashTable;
use xxhash_rust::xxh3::xxh3_64;

#[derive(Debug, Clone, Default)]
pub struct Keys {
    text: String,
    ends: Vec<usize>,
    ids: HashTable<u32>,
}

/// Key `id` of an arena whose key `i` ends at `ends[i]`.
fn key_at<'a>(text: &'a str, ends: &[usize], id: usize) -> &'a str {
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &text[start..ends[id]]
}

impl Keys {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The key of item `id`.
    pub fn get(&self, id: usize) -> &str {
        key_at(&self.text, &self.ends, id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|id| self.get(id))
    }

    /// Bytes of all keys together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Appends `keys` as items `len()..`; on a key already stored (or repeated within `keys`)
    /// nothing is added and that key is returned.
    pub fn extend<S: AsRef<str>>(&mut self, keys: &[S]) -> Result<(), String> {
        let (start, text_start) = (self.len(), self.text.len());
        for key in keys {
            let key = key.as_ref();
            let hash = xxh3_64(key.as_bytes());
            let Keys { text, ends, ids } = self;
            if ids.find(hash, |&id| key_at(text, ends, id as usize) == key).is_some() {
                self.undo(start, text_start);
                return Err(key.to_owned());
            }
            let id = ends.len() as u32;
            text.push_str(key);
            ends.push(text.len());
            ids.insert_unique(hash, id, |&id| xxh3_64(key_at(text, ends, id as usize).as_bytes()));
        }
        Ok(())
    }

    /// Removes the items `start..` again (their text begins at `text_start`).
    fn undo(&mut self, start: usize, text_start: usize) {
        for id in start..self.len() {
            let hash = xxh3_64(self.get(id).as_bytes());
            if let Ok(entry) = self.ids.find_entry(hash, |&e| e as usize == id) {
                entry.remove();
            }
        }
        self.ends.truncate(start);
        self.text.truncate(text_start);
    }

    /// Heap bytes held.
    pub fn nbytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * std::mem::size_of::<usize>()
            + self.ids.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_a_failed_extend_changes_nothing() {
        let mut keys = Keys::default();
        keys.extend(&["a", "bc", ""]).unwrap();
        assert_eq!(keys.iter().collect::<Vec<_>>(), ["a", "bc", ""]);
        assert_eq!(keys.extend(&["d", "e", "bc"]), Err("bc".to_string()));
        assert_eq!(keys.extend(&["f", "f"]), Err("f".to_string()));
        assert_eq!(keys.len(), 3);
        keys.extend(&["d", "f"]).unwrap();
        assert_eq!(keys.iter().collect::<Vec<_>>(), ["a", "bc", "", "d", "f"]);
        assert_eq!(keys.text_len(), 5);
        let many: Vec<String> = (0..10_000).map(|i| format!("k{i}")).collect();
        keys.extend(&many).unwrap();
        assert_eq!(keys.get(5 + 9_999), "k9999");
        assert!(keys.extend(&["k77"]).is_err());
    }
}
