//! Writes the benchmark's CSV: `cargo bench --bench generate -- ROWS PATH`.
//!
//! Twelve columns as a market-regulation register has them — Chinese names, addresses and
//! business scopes, codes, dates, amounts, counts and flags — deterministic for a given row
//! count, so every run measures the same bytes. No cell holds personal data, so the ingest
//! runs its full personal-data scan and publishes without waiting for a decision.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark may stop at the first failure"
)]

use std::io::{BufWriter, Write};

const DISTRICTS: [&str; 12] = [
    "瑶海区",
    "庐阳区",
    "蜀山区",
    "包河区",
    "长丰县",
    "肥东县",
    "肥西县",
    "庐江县",
    "巢湖市",
    "镜湖区",
    "弋江区",
    "鸠江区",
];
const TRADES: [&str; 8] = [
    "软件和信息技术服务业",
    "批发业",
    "零售业",
    "道路运输业",
    "餐饮业",
    "科技推广和应用服务业",
    "专用设备制造业",
    "房屋建筑业",
];
const WORDS: [&str; 10] = [
    "智慧",
    "新能源",
    "数据",
    "云计算",
    "生物",
    "材料",
    "物流",
    "农业",
    "环保",
    "文化",
];
const SCOPES: [&str; 6] = [
    "技术开发、技术咨询、技术服务",
    "软件开发；信息系统集成服务",
    "货物进出口；技术进出口",
    "道路货物运输（不含危险货物）",
    "食品销售；餐饮服务",
    "工程管理服务；园林绿化工程施工",
];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rows: u64 = args
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let path = args.get(1).cloned().unwrap_or_else(|| "bench.csv".into());
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        w,
        "序号,企业名称,统一社会信用代码,所在区县,行业,成立日期,注册资本（万元）,从业人数,是否高新技术企业,住所,经营范围,更新时间"
    )?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 1..=rows {
        let district = DISTRICTS[rng.below(12) as usize];
        let word = WORDS[rng.below(10) as usize];
        let trade = TRADES[rng.below(8) as usize];
        writeln!(
            w,
            "{i},安徽{word}{}科技有限公司,91340{:03}MA{:08X},{district},{trade},{}-{:02}-{:02},{}.{:02},{},{},合肥市{district}{}路{}号,\"{}\",2026-{:02}-{:02} {:02}:{:02}:{:02}",
            rng.below(100_000),
            rng.below(1000),
            rng.next() as u32,
            1990 + rng.below(36),
            1 + rng.below(12),
            1 + rng.below(28),
            10 + rng.below(100_000),
            rng.below(100),
            1 + rng.below(5000),
            if rng.below(5) == 0 { "是" } else { "否" },
            WORDS[rng.below(10) as usize],
            1 + rng.below(999),
            SCOPES[rng.below(6) as usize],
            1 + rng.below(11),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
        )?;
    }
    w.flush()
}
