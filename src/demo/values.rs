//! Deterministic generation of realistic cell values for the demo CSV files.

use chrono::{Duration, NaiveDate};

use super::seed::{FieldSeed, Gen};
use crate::domain::credit_code::check_character;
use crate::domain::masking::{mask_mobile, mask_name};

/// SplitMix64: tiny, fast and the same on every platform, so the demo is reproducible.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A seed from text (FNV-1a), so each dataset's values do not depend on load order.
    pub fn from_text(s: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Self(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }
}

/// A city of the province: code, name, telephone area code, centre, districts.
pub struct City {
    pub code: &'static str,
    pub name: &'static str,
    pub area: &'static str,
    pub lon: f64,
    pub lat: f64,
    pub districts: &'static [&'static str],
}

pub const ANHUI_CITIES: &[City] = &[
    City {
        code: "340100",
        name: "合肥市",
        area: "0551",
        lon: 117.227,
        lat: 31.820,
        districts: &[
            "瑶海区",
            "庐阳区",
            "蜀山区",
            "包河区",
            "长丰县",
            "肥东县",
            "肥西县",
            "庐江县",
            "巢湖市",
        ],
    },
    City {
        code: "340200",
        name: "芜湖市",
        area: "0553",
        lon: 118.433,
        lat: 31.352,
        districts: &[
            "镜湖区",
            "鸠江区",
            "弋江区",
            "湾沚区",
            "繁昌区",
            "南陵县",
            "无为市",
        ],
    },
    City {
        code: "340300",
        name: "蚌埠市",
        area: "0552",
        lon: 117.389,
        lat: 32.916,
        districts: &[
            "龙子湖区",
            "蚌山区",
            "禹会区",
            "淮上区",
            "怀远县",
            "五河县",
            "固镇县",
        ],
    },
    City {
        code: "340400",
        name: "淮南市",
        area: "0554",
        lon: 117.000,
        lat: 32.626,
        districts: &[
            "大通区",
            "田家庵区",
            "谢家集区",
            "八公山区",
            "潘集区",
            "凤台县",
            "寿县",
        ],
    },
    City {
        code: "340500",
        name: "马鞍山市",
        area: "0555",
        lon: 118.507,
        lat: 31.670,
        districts: &["花山区", "雨山区", "博望区", "当涂县", "含山县", "和县"],
    },
    City {
        code: "340600",
        name: "淮北市",
        area: "0561",
        lon: 116.798,
        lat: 33.956,
        districts: &["杜集区", "相山区", "烈山区", "濉溪县"],
    },
    City {
        code: "340700",
        name: "铜陵市",
        area: "0562",
        lon: 117.812,
        lat: 30.945,
        districts: &["铜官区", "义安区", "郊区", "枞阳县"],
    },
    City {
        code: "340800",
        name: "安庆市",
        area: "0556",
        lon: 117.063,
        lat: 30.531,
        districts: &[
            "迎江区",
            "大观区",
            "宜秀区",
            "怀宁县",
            "太湖县",
            "宿松县",
            "望江县",
            "岳西县",
            "桐城市",
            "潜山市",
        ],
    },
    City {
        code: "341000",
        name: "黄山市",
        area: "0559",
        lon: 118.338,
        lat: 29.715,
        districts: &[
            "屯溪区",
            "黄山区",
            "徽州区",
            "歙县",
            "休宁县",
            "黟县",
            "祁门县",
        ],
    },
    City {
        code: "341100",
        name: "滁州市",
        area: "0550",
        lon: 118.317,
        lat: 32.302,
        districts: &[
            "琅琊区",
            "南谯区",
            "来安县",
            "全椒县",
            "定远县",
            "凤阳县",
            "天长市",
            "明光市",
        ],
    },
    City {
        code: "341200",
        name: "阜阳市",
        area: "0558",
        lon: 115.814,
        lat: 32.890,
        districts: &[
            "颍州区",
            "颍东区",
            "颍泉区",
            "临泉县",
            "太和县",
            "阜南县",
            "颍上县",
            "界首市",
        ],
    },
    City {
        code: "341300",
        name: "宿州市",
        area: "0557",
        lon: 116.964,
        lat: 33.647,
        districts: &["埇桥区", "砀山县", "萧县", "灵璧县", "泗县"],
    },
    City {
        code: "341500",
        name: "六安市",
        area: "0564",
        lon: 116.522,
        lat: 31.734,
        districts: &[
            "金安区",
            "裕安区",
            "叶集区",
            "霍邱县",
            "舒城县",
            "金寨县",
            "霍山县",
        ],
    },
    City {
        code: "341600",
        name: "亳州市",
        area: "0558",
        lon: 115.779,
        lat: 33.845,
        districts: &["谯城区", "涡阳县", "蒙城县", "利辛县"],
    },
    City {
        code: "341700",
        name: "池州市",
        area: "0566",
        lon: 117.491,
        lat: 30.665,
        districts: &["贵池区", "东至县", "石台县", "青阳县"],
    },
    City {
        code: "341800",
        name: "宣城市",
        area: "0563",
        lon: 118.759,
        lat: 30.940,
        districts: &[
            "宣州区",
            "郎溪县",
            "泾县",
            "绩溪县",
            "旌德县",
            "宁国市",
            "广德市",
        ],
    },
];

/// The city a region code lies in; `None` for the province as a whole.
pub fn city_of(region: &str) -> Option<&'static City> {
    let prefix = region.get(..4)?;
    ANHUI_CITIES.iter().find(|c| c.code.starts_with(prefix))
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "程",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "华", "慧", "建国", "志强", "晓东", "海燕", "玉兰", "子涵", "浩然", "雨桐", "思远",
];
const ROADS: &[&str] = &[
    "长江中路",
    "长江西路",
    "金寨路",
    "徽州大道",
    "芜湖路",
    "望江路",
    "黄山路",
    "潜山路",
    "淮河路",
    "胜利路",
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文化路",
    "花园路",
    "北京路",
    "九华山路",
    "天门山路",
    "龙湖路",
    "学府路",
    "创新大道",
    "科学大道",
    "繁华大道",
    "翡翠路",
    "习友路",
];
const COMPANY_WORDS: &[&str] = &[
    "恒信", "华兴", "瑞丰", "嘉禾", "同创", "科达", "鑫源", "长盛", "宏图", "天成", "汇通", "金桥",
    "润泽", "新锐", "中联", "安科", "徽商", "江淮", "皖南", "春晖", "星辰", "正泰", "博远", "远景",
];
const INDUSTRIES: &[&str] = &[
    "电子科技",
    "信息技术",
    "建设工程",
    "商贸",
    "物流",
    "食品",
    "生物医药",
    "新材料",
    "机械制造",
    "农业科技",
    "文化传媒",
    "环保科技",
    "物业管理",
    "餐饮管理",
    "汽车销售",
    "能源",
];
const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Context for one row: the city its local values (districts, phones, coordinates) come from.
pub struct RowContext<'a> {
    pub city: &'a City,
    /// The county, when the dataset belongs to one.
    pub district: Option<&'static str>,
    pub row: u64,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .unwrap_or_else(|_| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default())
}

fn short_city(name: &str) -> &str {
    name.strip_suffix('市').unwrap_or(name)
}

pub fn value(field: &FieldSeed, ctx: &RowContext<'_>, rng: &mut Rng) -> String {
    let district = |rng: &mut Rng| {
        ctx.district
            .unwrap_or_else(|| *rng.pick(ctx.city.districts))
    };
    match &field.generate {
        Gen::Serial(prefix) => format!("{prefix}{:06}", ctx.row + 1),
        Gen::Pick(items) => rng.pick(items).clone(),
        Gen::Int(lo, hi) => rng.range(*lo, *hi).to_string(),
        Gen::Dec(lo, hi, decimals) => {
            let v = lo + (hi - lo) * rng.unit();
            format!("{v:.prec$}", prec = *decimals as usize)
        }
        Gen::Date(from, to) => {
            let (a, b) = (date(from.as_str()), date(to.as_str()));
            let d = a + Duration::days(rng.range(0, (b - a).num_days().max(0)));
            d.format("%Y-%m-%d").to_string()
        }
        Gen::DateTime(from, to) => {
            let (a, b) = (date(from.as_str()), date(to.as_str()));
            let d = a + Duration::days(rng.range(0, (b - a).num_days().max(0)));
            format!(
                "{} {:02}:{:02}:{:02}",
                d.format("%Y-%m-%d"),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59)
            )
        }
        Gen::Time(from, to) => format!(
            "{:02}:{:02}",
            rng.range(i64::from(*from), i64::from(*to)),
            rng.range(0, 11) * 5
        ),
        Gen::Person => {
            let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
            if field.masked { mask_name(&name) } else { name }
        }
        Gen::Mobile => {
            let second = *rng.pick(&[3, 5, 7, 8, 9]);
            let mobile = format!("1{second}{:09}", rng.range(0, 999_999_999));
            if field.masked {
                mask_mobile(&mobile)
            } else {
                mobile
            }
        }
        Gen::Phone => format!("{}-{}", ctx.city.area, rng.range(60_000_000, 69_999_999)),
        Gen::Company => format!(
            "{}{}{}有限公司",
            short_city(ctx.city.name),
            rng.pick(COMPANY_WORDS),
            rng.pick(INDUSTRIES)
        ),
        Gen::CreditCode => credit_code(ctx.city.code, rng),
        Gen::Address => format!(
            "{}{}{}{}号",
            ctx.city.name,
            district(rng),
            rng.pick(ROADS),
            rng.range(1, 999)
        ),
        Gen::District => district(rng).to_owned(),
        Gen::Road => (*rng.pick(ROADS)).to_owned(),
        Gen::Lon => format!("{:.6}", ctx.city.lon + (rng.unit() - 0.5) * 0.4),
        Gen::Lat => format!("{:.6}", ctx.city.lat + (rng.unit() - 0.5) * 0.3),
        Gen::Compose(prefix, parts, suffix) => format!("{prefix}{}{suffix}", rng.pick(parts)),
        Gen::YesNo => (if rng.range(0, 3) == 0 { "否" } else { "是" }).to_owned(),
    }
}

/// A valid unified social credit code of an enterprise registered in the region.
fn credit_code(region: &str, rng: &mut Rng) -> String {
    let mut first17 = [0u8; 17];
    first17[0] = b'9';
    first17[1] = b'1';
    first17[2..8].copy_from_slice(&region.as_bytes()[..6]);
    for b in first17.iter_mut().skip(8) {
        *b = *rng.pick(CREDIT_ALPHABET);
    }
    let check = check_character(&first17).unwrap_or('0');
    format!("{}{check}", String::from_utf8_lossy(&first17))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::seed::{FieldSeed, FieldType};
    use crate::domain::CreditCode;

    fn field(
        name: &str,
        ty: FieldType,
        description: &str,
        unit: Option<&str>,
        generate: Gen,
    ) -> FieldSeed {
        FieldSeed {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            unit: unit.map(str::to_owned),
            masked: false,
            generate,
        }
    }

    fn masked(name: &str, ty: FieldType, description: &str, generate: Gen) -> FieldSeed {
        FieldSeed {
            masked: true,
            ..field(name, ty, description, None, generate)
        }
    }

    #[test]
    fn the_generator_is_deterministic() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::from_text("x");
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::from_text("x");
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range(-3, 3);
            assert!((-3..=3).contains(&v));
        }
    }

    #[test]
    fn values_look_real_and_masked_fields_are_masked() {
        let ctx = RowContext {
            city: &ANHUI_CITIES[0],
            district: None,
            row: 41,
        };
        let mut rng = Rng::new(7);
        let code = value(
            &field("代码", FieldType::String, "", None, Gen::CreditCode),
            &ctx,
            &mut rng,
        );
        assert!(CreditCode::parse(&code).is_ok(), "{code}");
        assert!(code.starts_with("91340100"));
        let mobile = value(
            &masked("电话", FieldType::String, "", Gen::Mobile),
            &ctx,
            &mut rng,
        );
        assert_eq!(mobile.len(), 11);
        assert_eq!(&mobile[3..7], "****");
        let name = value(
            &masked("姓名", FieldType::String, "", Gen::Person),
            &ctx,
            &mut rng,
        );
        assert!(name.ends_with('*'), "{name}");
        let serial = value(
            &field(
                "编号",
                FieldType::String,
                "",
                None,
                Gen::Serial("XL".into()),
            ),
            &ctx,
            &mut rng,
        );
        assert_eq!(serial, "XL000042");
        let phone = value(
            &field("电话", FieldType::String, "", None, Gen::Phone),
            &ctx,
            &mut rng,
        );
        assert!(phone.starts_with("0551-6"), "{phone}");
        let d = value(
            &field(
                "日期",
                FieldType::Date,
                "",
                None,
                Gen::Date("2024-02-28".into(), "2024-03-01".into()),
            ),
            &ctx,
            &mut rng,
        );
        assert!(
            ["2024-02-28", "2024-02-29", "2024-03-01"].contains(&d.as_str()),
            "{d}"
        );
    }

    #[test]
    fn finds_the_city_of_a_region() {
        assert_eq!(city_of("340104").unwrap().name, "合肥市");
        assert_eq!(city_of("341000").unwrap().name, "黄山市");
        assert!(city_of("340000").is_none());
    }
}
