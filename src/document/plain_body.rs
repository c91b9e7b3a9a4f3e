//! A hand-written reader for the plainest `{"payloads": [...]}` bodies and Payload
//! objects: the codec server's and the history scanner's hot path. It takes only objects
//! with `metadata` (a map of strings) and `data` (a string), no escapes, no `null`, and
//! says `None` to everything else, which goes on to the typed serde reader
//! ([`super::payload_body`]) and then the general reader.
//!
//! Why by hand: serde_json scans strings a word at a time and walks a visitor per value;
//! here one vectorized `memchr2` finds each string's end. The serde reader's parsing was
//! ~27% of the codec server's per-request transform (`cargo bench --bench transform`).
//!
//! Strictness: every byte it accepts is either JSON structure or whitespace it matched
//! exactly, a field name it compared exactly, base64 text the decoder accepted (so
//! ASCII), or a metadata key checked to be UTF-8 without control characters. The fuzz
//! targets `server_request` (with the DOM reader) and `history_fast_path` (with the DOM
//! path) compare it with the general reader.

use std::collections::HashMap;
use std::ops::Range;

use crate::payload::{decode_base64, Payload};

/// One payload object's text spans, before decoding.
struct Spans<'a> {
    /// Its metadata entries, as a range of the shared entry list.
    metadata: Range<usize>,
    data: Option<&'a [u8]>,
}

/// A position in the text.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The next byte that is not JSON whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        loop {
            let byte = *self.text.get(self.at)?;
            self.at += 1;
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(byte);
            }
        }
    }

    /// Consumes `byte` (after whitespace), or says `None`.
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// Consumes `byte` if it comes next (after whitespace).
    fn eat_if(&mut self, byte: u8) -> bool {
        let at = self.at;
        if self.next() == Some(byte) {
            return true;
        }
        self.at = at;
        false
    }

    /// A string without escapes: the bytes between its quotes.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.text.get(self.at..)?;
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[end] != b'"' {
            return None;
        }
        self.at += end + 1;
        Some(&rest[..end])
    }

    /// Whether only whitespace is left.
    fn at_end(&mut self) -> bool {
        self.next().is_none()
    }
}

/// The payloads of a plain body, or `None`.
pub fn payloads(body: &[u8]) -> Option<Vec<Payload>> {
    payloads_within(body, usize::MAX, usize::MAX)
}

/// [`payloads`], or `None` as soon as the body holds more than `max_payloads` payloads or
/// more than `max_entries` metadata entries: what it holds in memory stays bounded by
/// those, whatever the body's size.
pub fn payloads_within(
    body: &[u8],
    max_payloads: usize,
    max_entries: usize,
) -> Option<Vec<Payload>> {
    let mut c = Cursor { text: body, at: 0 };
    let mut spans = Vec::new();
    let mut entries = Vec::new();
    c.eat(b'{')?;
    if !c.eat_if(b'}') {
        if c.string()? != b"payloads" {
            return None;
        }
        c.eat(b':')?;
        c.eat(b'[')?;
        if !c.eat_if(b']') {
            loop {
                spans.push(object(&mut c, &mut entries, max_entries)?);
                if spans.len() > max_payloads {
                    return None;
                }
                match c.next()? {
                    b',' => continue,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        c.eat(b'}')?;
    }
    if !c.at_end() {
        return None;
    }
    let text: usize = spans.iter().map(|s| s.data.map_or(0, <[u8]>::len)).sum();
    crate::parallel::map_all(spans, text >= crate::parallel::LARGE_TEXT, |s| {
        convert(s, &entries)
    })
}

/// One plain Payload object (the whole text), or `None`.
pub fn payload(text: &[u8]) -> Option<Payload> {
    let mut c = Cursor { text, at: 0 };
    let mut entries = Vec::new();
    let spans = object(&mut c, &mut entries, usize::MAX)?;
    if !c.at_end() {
        return None;
    }
    convert(spans, &entries)
}

/// One Payload object's spans; its metadata entries go to `entries`, which may hold at
/// most `max_entries`.
fn object<'a>(
    c: &mut Cursor<'a>,
    entries: &mut Vec<(&'a [u8], &'a [u8])>,
    max_entries: usize,
) -> Option<Spans<'a>> {
    c.eat(b'{')?;
    let start = entries.len();
    let mut spans = Spans {
        metadata: start..start,
        data: None,
    };
    if c.eat_if(b'}') {
        return Some(spans);
    }
    let mut seen_metadata = false;
    loop {
        let key = c.string()?;
        c.eat(b':')?;
        match key {
            b"metadata" if !seen_metadata => {
                seen_metadata = true;
                c.eat(b'{')?;
                if !c.eat_if(b'}') {
                    loop {
                        let name = c.string()?;
                        c.eat(b':')?;
                        if entries.len() == max_entries {
                            return None;
                        }
                        entries.push((name, c.string()?));
                        match c.next()? {
                            b',' => continue,
                            b'}' => break,
                            _ => return None,
                        }
                    }
                }
                spans.metadata = start..entries.len();
            }
            b"data" if spans.data.is_none() => spans.data = Some(c.string()?),
            _ => return None,
        }
        match c.next()? {
            b',' => continue,
            b'}' => return Some(spans),
            _ => return None,
        }
    }
}

/// Decodes one payload's spans; `None` on anything the general reader must judge
/// (a key that is not UTF-8 or holds a control character, a repeated key, base64 the
/// decoder refuses).
fn convert(spans: Spans<'_>, entries: &[(&[u8], &[u8])]) -> Option<Payload> {
    let mut out = Payload::default();
    let metadata = entries.get(spans.metadata)?;
    if !metadata.is_empty() {
        let mut map = HashMap::with_capacity(metadata.len());
        for &(name, value) in metadata {
            if name.iter().any(|&b| b < 0x20) {
                return None;
            }
            let name = std::str::from_utf8(name).ok()?;
            if map
                .insert(name.to_owned(), decode_base64(value).ok()?)
                .is_some()
            {
                return None;
            }
        }
        out.metadata = map;
    }
    if let Some(data) = spans.data {
        out.data = decode_base64(data).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(entries: &[(&str, &[u8])]) -> HashMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.to_vec()))
            .collect()
    }

    #[test]
    fn reads_plain_bodies() {
        let body = b" {\"payloads\" : [ {\"metadata\": {\"encoding\": \"anNvbi9wbGFpbg==\", \"\xc3\xa9\": \"\"}, \"data\": \"MQ==\"},\n{\"data\":\"-_8\"}, {}, {\"metadata\":{}} ] }\r\n\t";
        let got = payloads(body).expect("plain");
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[0].metadata,
            meta(&[("encoding", b"json/plain"), ("é", b"")])
        );
        assert_eq!(got[0].data, b"1");
        assert_eq!(got[1].data, [0xfb, 0xff]);
        assert_eq!(got[2], Payload::default());
        assert_eq!(got[3], Payload::default());
        assert_eq!(payloads(b"{}"), Some(vec![]));
        assert_eq!(payloads(b"{\"payloads\":[]}"), Some(vec![]));
        let one = payload(b"{\"data\":\"AA==\",\"metadata\":{\"k\":\"AQ==\"}}").expect("plain");
        assert_eq!((one.data, one.metadata), (vec![0], meta(&[("k", &[1])])));
    }

    /// The DOM reader alone (the server's last resort), not the chain this one heads.
    fn dom(body: &[u8]) -> Option<Vec<Payload>> {
        crate::document::read_body(body).ok()
    }

    #[test]
    fn agrees_with_the_dom_reader() {
        let bodies: &[&[u8]] = &[
            b" {\"payloads\" : [ {\"metadata\": {\"encoding\": \"anNvbi9wbGFpbg==\", \"\xc3\xa9\": \"\"}, \"data\": \"MQ==\"},\n{\"data\":\"-_8\"}, {}, {\"metadata\":{}} ] }\r\n\t",
            b"{}",
            b"{\"payloads\":[]}",
            b"{\"payloads\":[{\"data\":\"\",\"metadata\":{\"\x7f\":\"AA\"}}]}",
        ];
        for body in bodies {
            let ours = payloads(body).expect("plain");
            assert_eq!(Some(ours), dom(body), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn holds_no_more_than_its_caps() {
        let body = b"{\"payloads\":[{\"metadata\":{\"a\":\"\",\"b\":\"\",\"c\":\"\"}},{}]}";
        assert!(payloads_within(body, 2, 3).is_some());
        assert_eq!(payloads_within(body, 1, 3), None);
        assert_eq!(payloads_within(body, 2, 2), None);
        let mut entries = Vec::new();
        let mut c = Cursor {
            text: &body[13..],
            at: 0,
        };
        assert!(object(&mut c, &mut entries, 2).is_none());
        assert_eq!(entries.len(), 2);
        let mut c = Cursor {
            text: &body[13..],
            at: 0,
        };
        assert!(object(&mut c, &mut Vec::new(), 3).is_some());
    }

    #[test]
    fn says_none_to_anything_else() {
        let bodies: &[&[u8]] = &[
            b"",
            b" ",
            b"{",
            b"{}x",
            b"{} {}",
            b"[]",
            b"{\"payloads\":null}",
            b"{\"payloads\":[],}",
            b"{\"payloads\":[{},]}",
            b"{\"payloads\":[,{}]}",
            b"{\"payloads\":[{}]",
            b"{\"payloads\":[] , \"payloads\":[]}",
            b"{\"payload\":[]}",
            b"{\"pay\\u006coads\":[]}",
            b"{\"payloads\":[{\"data\":\"AA\",\"data\":\"AA\"}]}",
            b"{\"payloads\":[{\"metadata\":{},\"metadata\":{}}]}",
            b"{\"payloads\":[{\"metadata\":{\"a\":\"AA\",\"a\":\"AQ\"}}]}",
            b"{\"payloads\":[{\"metadata\":{\"a\":\"AA\",}}]}",
            b"{\"payloads\":[{\"metadata\":{\"a\":\"A\\/A\"}}]}",
            b"{\"payloads\":[{\"metadata\":{\"a\x01\":\"AA\"}}]}",
            b"{\"payloads\":[{\"metadata\":{\"\xff\":\"AA\"}}]}",
            b"{\"payloads\":[{\"metadata\":null}]}",
            b"{\"payloads\":[{\"metadata\":{\"a\":null}}]}",
            b"{\"payloads\":[{\"data\":null}]}",
            b"{\"payloads\":[{\"data\":\"%%\"}]}",
            b"{\"payloads\":[{\"data\":\"A\x01A\"}]}",
            b"{\"payloads\":[{\"data\":\"AA\xc3\xa9\"}]}",
            b"{\"payloads\":[{\"data\":1}]}",
            b"{\"payloads\":[{\"externalPayloads\":[]}]}",
            b"{\"payloads\":[{\"data\":\"AA\"} {\"data\":\"AA\"}]}",
            b"{\"payloads\":[{\"data\":\"AA\"}]}\x00",
            b"\xef\xbb\xbf{}",
            b"{\"payloads\":[{\"data\"\"AA\"}]}",
            b"{\"payloads\":[{\"data\":\"AA\"]}",
            b"{\"payloads\":[{\"data\":\"AA}]}",
        ];
        for body in bodies {
            assert_eq!(payloads(body), None, "{}", String::from_utf8_lossy(body));
        }
        assert_eq!(payload(b"{} x"), None);
        assert_eq!(payload(b"[]"), None);
    }
}
