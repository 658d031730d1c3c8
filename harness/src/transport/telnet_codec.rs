//! Telnet framing (RFC 854/855), for the telnet login client and the RFC 2217 console: data
//! with IAC doubled, three-byte option commands, and subnegotiations between IAC SB and IAC SE.
//! The decoder keeps its state across reads (a command may be cut between two segments) and
//! bounds what a subnegotiation may hold.

pub const IAC: u8 = 255;
pub const DONT: u8 = 254;
pub const DO: u8 = 253;
pub const WONT: u8 = 252;
pub const WILL: u8 = 251;
pub const SB: u8 = 250;
pub const SE: u8 = 240;

/// Longer subnegotiations are dropped whole: the longest RFC 2217 answer is 6 bytes.
const SUB_LIMIT: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A verb (WILL, WONT, DO, DONT) and its option.
    Option(u8, u8),
    /// A subnegotiation's bytes, its option first, IACs undoubled.
    Sub(Vec<u8>),
}

#[derive(Default)]
pub struct Decoder {
    state: State,
    sub: Vec<u8>,
    sub_too_long: bool,
}

#[derive(Default, Clone, Copy)]
enum State {
    #[default]
    Data,
    Iac,
    Verb(u8),
    Sub,
    SubIac,
}

impl Decoder {
    /// Appends the data in `input` to `data` and what else it carried to `events`.
    pub fn feed(&mut self, input: &[u8], data: &mut Vec<u8>, events: &mut Vec<Event>) {
        for &b in input {
            self.state = match (self.state, b) {
                (State::Data, IAC) => State::Iac,
                (State::Data, _) => {
                    data.push(b);
                    State::Data
                }
                (State::Iac, IAC) => {
                    data.push(IAC);
                    State::Data
                }
                (State::Iac, WILL | WONT | DO | DONT) => State::Verb(b),
                (State::Iac, SB) => {
                    self.sub.clear();
                    self.sub_too_long = false;
                    State::Sub
                }
                // NOP, GA, a stray SE and the rest carry nothing for a console.
                (State::Iac, _) => State::Data,
                (State::Verb(verb), option) => {
                    events.push(Event::Option(verb, option));
                    State::Data
                }
                (State::Sub, IAC) => State::SubIac,
                (State::Sub, _) => self.sub_byte(b),
                (State::SubIac, IAC) => self.sub_byte(IAC),
                (State::SubIac, SE) => {
                    if !self.sub_too_long && !self.sub.is_empty() {
                        events.push(Event::Sub(std::mem::take(&mut self.sub)));
                    }
                    State::Data
                }
                // A malformed escape inside a subnegotiation: keep reading to its end.
                (State::SubIac, _) => State::Sub,
            };
        }
    }

    fn sub_byte(&mut self, b: u8) -> State {
        match self.sub.len() < SUB_LIMIT {
            true => self.sub.push(b),
            false => self.sub_too_long = true,
        }
        State::Sub
    }
}

/// `data` with every IAC doubled, as it must travel.
pub fn escape(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    for &b in data {
        out.push(b);
        if b == IAC {
            out.push(IAC);
        }
    }
    out
}

/// IAC SB `option` `body` IAC SE, with IACs in the body doubled.
pub fn subnegotiation(option: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![IAC, SB, option];
    out.extend(escape(body));
    out.extend([IAC, SE]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(parts: &[&[u8]]) -> (Vec<u8>, Vec<Event>) {
        let mut d = Decoder::default();
        let (mut data, mut events) = (Vec::new(), Vec::new());
        for p in parts {
            d.feed(p, &mut data, &mut events);
        }
        (data, events)
    }

    #[test]
    fn commands_and_subnegotiations_are_taken_out_even_when_cut() {
        let (data, events) = decode(&[
            &[b'a', IAC, WILL],
            &[44, IAC, IAC, b'b', IAC, SB, 44, 101, 0, 1, 0xc2],
            &[0x00, IAC],
            &[SE, b'c'],
        ]);
        assert_eq!(data, vec![b'a', IAC, b'b', b'c']);
        assert_eq!(
            events,
            vec![
                Event::Option(WILL, 44),
                Event::Sub(vec![44, 101, 0, 1, 0xc2, 0x00]),
            ]
        );
    }

    #[test]
    fn a_doubled_iac_in_a_subnegotiation_is_one_byte_and_round_trips() {
        let rate = 0x0001_c2ffu32.to_be_bytes();
        let mut body = vec![101];
        body.extend(rate);
        let wire = subnegotiation(44, &body);
        assert_eq!(wire.iter().filter(|&&b| b == IAC).count(), 4);
        let (data, events) = decode(&[&wire]);
        assert!(data.is_empty());
        let mut want = vec![44];
        want.extend(body);
        assert_eq!(events, vec![Event::Sub(want)]);
    }

    #[test]
    fn an_endless_subnegotiation_is_bounded_and_dropped() {
        let mut flood = vec![IAC, SB, 44];
        flood.extend(std::iter::repeat_n(7u8, 100_000));
        flood.extend([IAC, SE, b'x']);
        let (data, events) = decode(&[&flood]);
        assert_eq!(data, b"x");
        assert!(events.is_empty());
    }

    #[test]
    fn escaping_doubles_iac_only() {
        assert_eq!(escape(&[1, IAC, 2]), vec![1, IAC, IAC, 2]);
    }
}
