use super::*;

fn kinds(s: &str) -> Vec<PiiKind> {
    scan(s).into_iter().map(|f| f.kind).collect()
}

#[test]
fn finds_each_kind_alone_and_inside_text() {
    assert_eq!(kinds("11010519491231002X"), [PiiKind::ResidentId]);
    assert_eq!(
        kinds("身份证：440524188001010014，手机13812345678"),
        [PiiKind::ResidentId, PiiKind::Mobile]
    );
    assert_eq!(
        kinds("6222021234567890128"),
        [PiiKind::BankCard],
        "Luhn-valid 19 digits"
    );
    assert_eq!(kinds("联系 li.ming@data.ah.gov.cn。"), [PiiKind::Email]);
    assert_eq!(
        kinds("a13812345678@qq.com"),
        [PiiKind::Email],
        "digits inside an address are the address"
    );
}

#[test]
fn leaves_look_alikes_alone() {
    for clean in [
        "110105194912310021",  // wrong check character
        "11010519491331002X",  // no such birth date
        "12812345678",         // not a mobile prefix
        "138123456789",        // 12 digits
        "6222021234567890123", // Luhn fails
        "0551-62781234",       // office landline
        "91110108551385082Q",  // credit code
        "138****5678",         // already masked
        "a@b",                 // no domain
        "2024-01-31",
        "合肥市蜀山区长江西路 1 号",
    ] {
        assert!(scan(clean).is_empty(), "{clean}: {:?}", scan(clean));
    }
}

#[test]
fn masks_as_the_regulation_examples_show() {
    assert_eq!(
        mask_all("340104199003071234"),
        mask_all("340104199003071234")
    );
    let id = format!(
        "34010419900307123{}",
        crate::domain::resident_id::check_character(b"34010419900307123").unwrap() as char
    );
    assert_eq!(mask_all(&id), format!("340104********123{}", &id[17..]));
    assert_eq!(mask_all("电话13812345678"), "电话138****5678");
    assert_eq!(mask_all("6222021234567890128"), "***************0128");
    assert_eq!(mask_all("li.ming@data.ah.gov.cn"), "l***@data.ah.gov.cn");
    assert_eq!(mask_all("无个人信息"), "无个人信息");
    assert!(
        scan(&mask_all(&format!("{id} 13812345678"))).is_empty(),
        "masked text has no more finds"
    );
}

fn found(s: &str) -> Vec<(PiiKind, &str)> {
    scan(s)
        .into_iter()
        .map(|f| (f.kind, &s[f.start..f.end]))
        .collect()
}

#[test]
fn finds_every_notation_of_the_examples() {
    use PiiKind::{BankCard, Mobile, ResidentId};
    for (text, kind, value) in [
        ("110105 19491231 002X", ResidentId, "110105 19491231 002X"),
        ("110105-19491231-002X", ResidentId, "110105-19491231-002X"),
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            ResidentId,
            "１１０１０５１９４９１２３１００２Ｘ",
        ),
        (
            "１１０１０５１９４９１２３１００２ｘ号",
            ResidentId,
            "１１０１０５１９４９１２３１００２ｘ",
        ),
        ("ID11010519491231002X", ResidentId, "11010519491231002X"),
        ("身份证11010519491231002X", ResidentId, "11010519491231002X"),
        ("110105-19491231-002-X", ResidentId, "110105-19491231-002-X"),
        ("旧证110105491231002。", ResidentId, "110105491231002"),
        ("110105 491231 002", ResidentId, "110105 491231 002"),
        ("+8613812345678", Mobile, "+8613812345678"),
        ("8613812345678", Mobile, "8613812345678"),
        ("008613812345678", Mobile, "008613812345678"),
        ("电话：+86 138 1234 5678", Mobile, "+86 138 1234 5678"),
        ("+86-138-1234-5678", Mobile, "+86-138-1234-5678"),
        ("138-1234-5678", Mobile, "138-1234-5678"),
        ("138 1234 5678", Mobile, "138 1234 5678"),
        (
            "138\u{3000}1234\u{3000}5678",
            Mobile,
            "138\u{3000}1234\u{3000}5678",
        ),
        ("138－1234－5678", Mobile, "138－1234－5678"),
        ("138–1234—5678", Mobile, "138–1234—5678"),
        ("tel13812345678", Mobile, "13812345678"),
        ("Tel:13812345678", Mobile, "13812345678"),
        (
            "手机１３８１２３４５６７８",
            Mobile,
            "１３８１２３４５６７８",
        ),
        ("13812345678.0", Mobile, "13812345678"),
        ("第1ab.13812345678", Mobile, "13812345678"),
        ("ab.13812345678", Mobile, "13812345678"),
        (
            "6222 0212 3456 7890 128",
            BankCard,
            "6222 0212 3456 7890 128",
        ),
        (
            "6222-0212-3456-7890-128",
            BankCard,
            "6222-0212-3456-7890-128",
        ),
        (
            "卡号６２２２０２１２３４５６７８９０１２８",
            BankCard,
            "６２２２０２１２３４５６７８９０１２８",
        ),
        ("No6222021234567890128", BankCard, "6222021234567890128"),
    ] {
        assert_eq!(found(text), [(kind, value)], "{text}");
    }
    assert_eq!(
        found("li.ming＠data.ah.gov.cn，"),
        [(PiiKind::Email, "li.ming＠data.ah.gov.cn")]
    );
}

#[test]
fn splits_groups_holding_several_values() {
    use PiiKind::{BankCard, Mobile, ResidentId};
    assert_eq!(
        found("11010519491231002X 440524188001010014"),
        [
            (ResidentId, "11010519491231002X"),
            (ResidentId, "440524188001010014")
        ]
    );
    assert_eq!(
        found("440524188001010014 440524188001010014"),
        [
            (ResidentId, "440524188001010014"),
            (ResidentId, "440524188001010014")
        ]
    );
    assert_eq!(
        found("13812345678 13912345678-15012345678"),
        [
            (Mobile, "13812345678"),
            (Mobile, "13912345678"),
            (Mobile, "15012345678")
        ]
    );
    assert_eq!(
        found("138 1234 5678 139 1234 5678"),
        [(Mobile, "138 1234 5678"), (Mobile, "139 1234 5678")]
    );
    assert_eq!(
        found("+86 13812345678 13912345678"),
        [(Mobile, "+86 13812345678"), (Mobile, "13912345678")]
    );
    assert_eq!(
        found("138-1234-5678-123"),
        [(Mobile, "138-1234-5678")],
        "an extension"
    );
    assert_eq!(
        found("6222 0212 3456 7890 128 13812345678"),
        [
            (BankCard, "6222 0212 3456 7890 128"),
            (Mobile, "13812345678")
        ]
    );
}

#[test]
fn leaves_more_look_alikes_alone() {
    for clean in [
        "3.14159265358979",
        "3.1415926535897932", // 16 decimals, Luhn-valid
        "0.13812345678",      // a fraction, not a mobile
        "０.13812345678",
        "2024013112345678901234", // long measurement code
        "20240131 123456 789012 3456 78",
        "1998 2003 2010 2015", // years, not a card in groups of four
        "0551-6278 1234",
        "0551 62781234 0551 62781235",
        "2024-01-31 13:45:00",
        "91110108551385082Q",
        "91110108551385082X", // a credit code ending in X is not an ID
        "9111010855138508 2Q",
        "1 3 8 1 2 3 4 5 6 7 8 9", // twelve digits
        "138****5678",
        "6222 **** **** 0128",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "a13812345678bcde", // a 16-character hex hash
        "110105********002X",
        "110105******002",
        "12100000400000624D",
    ] {
        assert!(scan(clean).is_empty(), "{clean}: {:?}", found(clean));
    }
}

#[test]
fn masks_every_notation() {
    use PiiKind::{BankCard, Email, Mobile, ResidentId};
    assert_eq!(
        mask(ResidentId, "110105 19491231 002x"),
        "110105********002X"
    );
    assert_eq!(
        mask(ResidentId, "１１０１０５１９４９１２３１００２Ｘ"),
        "110105********002X"
    );
    assert_eq!(mask(ResidentId, "110105491231002"), "110105******002");
    assert_eq!(mask(Mobile, "+86 138 1234 5678"), "138****5678");
    assert_eq!(mask(Mobile, "008613812345678"), "138****5678");
    assert_eq!(mask(Mobile, "１３８－１２３４－５６７８"), "138****5678");
    assert_eq!(
        mask(BankCard, "6222-0212-3456-7890-128"),
        "***************0128"
    );
    assert_eq!(
        mask(Email, "li.ming＠data.ah.gov.cn"),
        "l***＠data.ah.gov.cn"
    );
    assert_eq!(
        mask_all("身份证110105-19491231-002X，电话+86 138 1234 5678。"),
        "身份证110105********002X，电话138****5678。"
    );
    // The card's last four and the next piece would read as a mobile: masked as well.
    let text = "6222021234567891381 2345678";
    assert!(luhn(b"6222021234567891381"));
    assert_eq!(found(text), [(BankCard, "6222021234567891381")]);
    let masked = mask_all(text);
    assert!(scan(&masked).is_empty(), "{masked}");
}

mod property {
    //! Every notation of every kind, in random surroundings: found with its exact range,
    //! and masked so that nothing is found again and the number's digits are gone.

    use std::fmt::Write;

    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::super::*;
    use crate::domain::resident_id::check_character;

    const CASES: usize = 10_000;

    /// Province codes with first digit 1–6 (what `ResidentId::parse` accepts).
    const PROVINCES: &[&str] = &[
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65",
    ];
    const CARD_PREFIXES: &[&str] = &["62", "622", "621", "4", "5", "35", "60", "9"];
    const CJK_WORDS: &[&str] = &[
        "姓名",
        "张三",
        "备注",
        "联系方式",
        "地址",
        "合肥市蜀山区",
        "已核实",
        "无",
        "户主李四",
    ];
    /// No word is made only of hexadecimal letters.
    const ASCII_WORDS: &[&str] = &[
        "name", "note", "user", "Wang", "Li", "remark", "status", "ok", "contact", "Zhou", "info",
    ];
    const PUNCT: &[&str] = &[
        "：", "，", "。", " ", "(", ")", "、", "/", ";", "#", "=", "\u{3000}", "|", "\"", "【",
        "】", "-", "_",
    ];
    const LETTER_PREFIXES: &[&str] = &["ID", "id", "No", "sfz", "tel", "Tel", "TEL", "z"];
    const CJK_PREFIXES: &[&str] = &["身份证", "身份证号码", "手机", "电话", "卡号", "银行卡"];
    const SPACES: &[&str] = &[" ", "\u{3000}"];
    const DASHES: &[&str] = &[
        "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{FF0D}",
    ];

    #[derive(Debug, Clone, Copy)]
    enum Value {
        Id18,
        Id15,
        Mobile,
        Card16,
        Card19,
    }

    #[derive(Debug, Clone, Copy)]
    enum Notation {
        Plain,
        Spaces,
        Dashes,
        FullWidth,
        FullWidthDashes,
        LetterPrefix,
        CjkPrefix,
        Plus86,
        Prefix86,
        Plus86Spaced,
        Prefix0086,
        Tel,
        TelColon,
    }

    fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
        from[rng.random_range(0..from.len())]
    }

    fn push_digits(rng: &mut StdRng, s: &mut String, n: usize) {
        for _ in 0..n {
            s.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
    }

    fn push_date(rng: &mut StdRng, s: &mut String, first: i32, last: i32, digits: usize) {
        loop {
            let (y, m, d) = (
                rng.random_range(first..=last),
                rng.random_range(1..=12),
                rng.random_range(1..=31),
            );
            if chrono::NaiveDate::from_ymd_opt(y, m, d).is_some() {
                let y = if digits == 2 { y % 100 } else { y };
                let _ = write!(s, "{y:0digits$}{m:02}{d:02}");
                return;
            }
        }
    }

    fn luhn_digit(body: &[u8]) -> char {
        let mut sum = 0u32;
        for (i, d) in body.iter().rev().enumerate() {
            let mut v = u32::from(d - b'0');
            if i % 2 == 0 {
                v *= 2;
                if v > 9 {
                    v -= 9;
                }
            }
            sum += v;
        }
        char::from(b'0' + ((10 - sum % 10) % 10) as u8)
    }

    /// A valid number of this kind, in plain ASCII.
    fn generate(rng: &mut StdRng, value: Value) -> String {
        let mut s = String::with_capacity(19);
        match value {
            Value::Id18 | Value::Id15 => {
                s.push_str(pick(rng, PROVINCES));
                push_digits(rng, &mut s, 4);
                if let Value::Id18 = value {
                    push_date(rng, &mut s, 1930, 2020, 4);
                    push_digits(rng, &mut s, 3);
                    let check = check_character(s.as_bytes()).expect("17 digits");
                    s.push(if check == b'X' && rng.random_bool(0.5) {
                        'x'
                    } else {
                        char::from(check)
                    });
                } else {
                    push_date(rng, &mut s, 1930, 1999, 2);
                    push_digits(rng, &mut s, 3);
                }
            }
            Value::Mobile => {
                s.push('1');
                s.push(char::from(rng.random_range(b'3'..=b'9')));
                push_digits(rng, &mut s, 9);
            }
            Value::Card16 | Value::Card19 => {
                let len = if let Value::Card16 = value { 16 } else { 19 };
                s.push_str(pick(rng, CARD_PREFIXES));
                let body = len - 1 - s.len();
                push_digits(rng, &mut s, body);
                let check = luhn_digit(s.as_bytes());
                s.push(check);
            }
        }
        s
    }

    /// `v` cut after each of `sizes` characters, joined with `sep`.
    fn grouped(v: &str, sizes: &[usize], sep: &str) -> String {
        let mut out = String::with_capacity(v.len() + 3 * sizes.len() * sep.len());
        let mut at = 0;
        for &size in sizes {
            if at == v.len() {
                break;
            }
            if at > 0 {
                out.push_str(sep);
            }
            let end = (at + size).min(v.len());
            out.push_str(&v[at..end]);
            at = end;
        }
        out
    }

    fn full_width(rng: &mut StdRng, v: &str) -> String {
        v.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap(),
                'X' | 'x' if rng.random_bool(0.5) => 'Ｘ',
                'X' | 'x' => 'ｘ',
                _ => c,
            })
            .collect()
    }

    /// Only the digits, full-width ones folded to ASCII.
    fn digits_of(s: &str) -> String {
        s.chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32('0' as u32 + (c as u32 - '０' as u32)),
                _ => None,
            })
            .collect()
    }

    /// The text before the finding that is not part of it, and the finding as written.
    fn render(rng: &mut StdRng, value: Value, notation: Notation, v: &str) -> (String, String) {
        let sizes: &[usize] = match value {
            Value::Id18 => &[6, 8, 4],
            Value::Id15 => &[6, 6, 3],
            Value::Mobile => &[3, 4, 4],
            Value::Card16 | Value::Card19 => &[4, 4, 4, 4, 4],
        };
        let mut outside = String::new();
        let shown = match notation {
            Notation::Plain => v.to_owned(),
            Notation::Spaces => grouped(v, sizes, pick(rng, SPACES)),
            Notation::Dashes => grouped(v, sizes, pick(rng, DASHES)),
            Notation::FullWidth => full_width(rng, v),
            Notation::FullWidthDashes => full_width(rng, &grouped(v, sizes, "－")),
            Notation::LetterPrefix => {
                outside.push_str(pick(rng, LETTER_PREFIXES));
                v.to_owned()
            }
            Notation::CjkPrefix => {
                outside.push_str(pick(rng, CJK_PREFIXES));
                v.to_owned()
            }
            Notation::Plus86 => format!("+86{v}"),
            Notation::Prefix86 => format!("86{v}"),
            Notation::Plus86Spaced => {
                let sep = pick(rng, &[" ", "-"]);
                format!("+86{sep}{}", grouped(v, sizes, sep))
            }
            Notation::Prefix0086 => format!("0086{v}"),
            Notation::Tel => {
                outside.push_str("tel");
                v.to_owned()
            }
            Notation::TelColon => {
                outside.push_str("Tel:");
                v.to_owned()
            }
        };
        (outside, shown)
    }

    fn push_words(rng: &mut StdRng, s: &mut String) {
        for _ in 0..rng.random_range(0..3) {
            let words = if rng.random_bool(0.5) {
                CJK_WORDS
            } else {
                ASCII_WORDS
            };
            s.push_str(pick(rng, words));
            if rng.random_bool(0.3) {
                s.push(' ');
            }
        }
    }

    fn check(rng: &mut StdRng, value: Value, notation: Notation) {
        let kind = match value {
            Value::Id18 | Value::Id15 => PiiKind::ResidentId,
            Value::Mobile => PiiKind::Mobile,
            Value::Card16 | Value::Card19 => PiiKind::BankCard,
        };
        let v = generate(rng, value);
        let (outside, shown) = render(rng, value, notation, &v);
        let mut text = String::with_capacity(80);
        push_words(rng, &mut text);
        if rng.random_bool(0.5) {
            text.push_str(pick(rng, PUNCT));
        }
        text.push_str(&outside);
        let start = text.len();
        text.push_str(&shown);
        let end = text.len();
        if rng.random_bool(0.5) {
            text.push_str(pick(rng, PUNCT));
        }
        push_words(rng, &mut text);

        let case = format!("{value:?} in notation {notation:?}: {text:?}");
        let got = scan(&text);
        assert_eq!(got, [Found { kind, start, end }], "{case}");
        let masked = mask_all(&text);
        let again = scan(&masked);
        assert!(
            again.is_empty(),
            "{case}: masked {masked:?} still has {again:?}"
        );
        let left = digits_of(&masked);
        for secret in [digits_of(&v), digits_of(&shown)] {
            assert!(
                !left.contains(&secret),
                "{case}: masked {masked:?} still shows {secret}"
            );
        }
    }

    #[test]
    fn every_notation_is_found_and_masked() {
        use Notation::*;
        let common = [
            Plain,
            Spaces,
            Dashes,
            FullWidth,
            FullWidthDashes,
            LetterPrefix,
            CjkPrefix,
        ];
        let mobile_only = [Plus86, Prefix86, Plus86Spaced, Prefix0086, Tel, TelColon];
        let mut rng = StdRng::seed_from_u64(0x4B41_4946_414E_4721);
        for value in [
            Value::Id18,
            Value::Id15,
            Value::Mobile,
            Value::Card16,
            Value::Card19,
        ] {
            let extra: &[Notation] = match value {
                Value::Mobile => &mobile_only,
                _ => &[],
            };
            for &notation in common.iter().chain(extra) {
                for _ in 0..CASES {
                    check(&mut rng, value, notation);
                }
            }
        }
    }
}
