//! A client's bytes read as WebSocket frames (RFC 6455) after the HTTP
//! upgrade, to tell whether it sent a Close frame before its connection
//! ended: the engine logs `ResetWithoutClosingHandshake` when it did not.

#[derive(Default)]
pub struct FrameWatch {
    upgraded: bool,
    buf: Vec<u8>,
    /// A Close frame (opcode 8) went by.
    pub closed: bool,
}

impl FrameWatch {
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if !self.upgraded {
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                return;
            };
            self.buf.drain(..end + 4);
            self.upgraded = true;
        }
        while self.buf.len() >= 2 {
            let opcode = self.buf[0] & 0x0f;
            let masked = self.buf[1] & 0x80 != 0;
            let (len, mut header) = match self.buf[1] & 0x7f {
                126 if self.buf.len() >= 4 => {
                    (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
                }
                127 if self.buf.len() >= 10 => {
                    let mut n = [0u8; 8];
                    n.copy_from_slice(&self.buf[2..10]);
                    (u64::from_be_bytes(n) as usize, 10)
                }
                126 | 127 => return,
                n => (usize::from(n), 2),
            };
            if masked {
                header += 4;
            }
            if self.buf.len() < header + len {
                return;
            }
            if opcode == 8 {
                self.closed = true;
            }
            self.buf.drain(..header + len);
        }
    }
}

#[test]
fn a_close_frame_is_seen_across_chunks_and_nothing_else_is_one() {
    let mut w = FrameWatch::default();
    w.feed(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
    // A masked text frame "hi", then a masked Close with code 1000.
    w.feed(&[0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2]);
    assert!(!w.closed);
    w.feed(&[0x88, 0x82, 0, 0]);
    assert!(!w.closed, "the header alone");
    w.feed(&[0, 0, 0x03, 0xe8]);
    assert!(w.closed);
}
