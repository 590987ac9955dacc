//! What may never enter the queue: personal data and settlement directives.
//!
//! Keys are split into words (`clientIpAddress` -> client, ip, address) so
//! that `ip` is caught without also catching `membership`.

/// Why a JSON key is forbidden, or `None` when it is fine.
pub fn forbidden_key(key: &str) -> Option<&'static str> {
    let words = split_words(key);
    let joined: String = words.concat();
    const PII_WORDS: &[&str] = &[
        "ip",
        "ipv4",
        "ipv6",
        "ssn",
        "dob",
        "cvv",
        "cvc",
        "iban",
        "pan",
        "address",
        "zip",
        "postcode",
        "passport",
        "birthday",
        "birthdate",
        "surname",
        "msisdn",
    ];
    const PII_PARTS: &[&str] = &[
        "email",
        "phone",
        "telephone",
        "ipaddr",
        "mobilenumber",
        "legalname",
        "fullname",
        "firstname",
        "lastname",
        "realname",
        "cardnumber",
        "creditcard",
        "dateofbirth",
    ];
    const SETTLEMENT_PARTS: &[&str] = &[
        "settle",
        "payout",
        "earned",
        "earning",
        "creditperformer",
        "creditmodel",
    ];
    if words.iter().any(|w| PII_WORDS.contains(&w.as_str()))
        || PII_PARTS.iter().any(|p| joined.contains(p))
    {
        return Some("personal data (PII) may not be sent to the queue");
    }
    if SETTLEMENT_PARTS.iter().any(|p| joined.contains(p)) {
        return Some("features may not direct settlement; only the queue settles");
    }
    None
}

/// What kind of personal data a string value looks like, if any.
pub fn pii_in_value(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if looks_like_email(text) {
        Some("an email address")
    } else if text.parse::<std::net::IpAddr>().is_ok() {
        Some("an IP address")
    } else if looks_like_phone(text) {
        Some("a phone number")
    } else {
        None
    }
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
}

/// A leading `+` or separated digit groups, 7 to 15 digits: a phone number.
/// Plain digit strings are left alone, since ids often look like that.
fn looks_like_phone(text: &str) -> bool {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let only_phone_chars = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' ' | b'(' | b')' | b'.'));
    let formatted = text.starts_with('+')
        || text.contains('(')
        || text
            .split([' ', '-', '.'])
            .filter(|g| !g.is_empty())
            .count()
            >= 3;
    only_phone_chars && formatted && (7..=15).contains(&digits)
}

fn split_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in key.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        current.push(ch.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pii_keys_are_caught_in_any_spelling() {
        for key in [
            "email",
            "userEmail",
            "e_mail_address",
            "phone",
            "phoneNumber",
            "ip",
            "clientIp",
            "ip_address",
            "IPAddress",
            "fullName",
            "legal_name",
            "cardNumber",
            "cvv",
        ] {
            assert!(forbidden_key(key).is_some(), "{key} should be forbidden");
        }
    }

    #[test]
    fn ordinary_keys_pass() {
        for key in [
            "membership",
            "tip",
            "shipping",
            "skip",
            "userDisplayName",
            "betTier",
            "uiSurface",
            "clientSessionId",
            "campaign",
            "displayName",
            "theme",
        ] {
            assert_eq!(forbidden_key(key), None, "{key} should be allowed");
        }
    }

    #[test]
    fn settlement_directives_are_caught() {
        for key in [
            "settle",
            "settleNow",
            "autoSettle",
            "payout",
            "earnedWallet",
            "creditModel",
        ] {
            let reason = forbidden_key(key).expect(key);
            assert!(reason.contains("settle"), "{key}: {reason}");
        }
    }

    #[test]
    fn pii_values() {
        assert_eq!(pii_in_value("jane@example.com"), Some("an email address"));
        assert_eq!(pii_in_value("10.1.2.3"), Some("an IP address"));
        assert_eq!(pii_in_value("::1"), Some("an IP address"));
        assert_eq!(pii_in_value("+1 555 123 4567"), Some("a phone number"));
        assert_eq!(pii_in_value("(555) 123-4567"), Some("a phone number"));
        assert_eq!(pii_in_value("Lucky Star"), None);
        assert_eq!(pii_in_value("8234567890"), None);
        assert_eq!(pii_in_value("@handle"), None);
        assert_eq!(pii_in_value("v1.2.3"), None);
    }
}
