CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    region_code TEXT NOT NULL CHECK (length(region_code) = 6),
    parent_id INTEGER REFERENCES departments (id),
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE themes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE CHECK (length(code) = 2),
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL
);

-- The 21 themes of the regulation's priority list (DESIGN.md §2). Reference data, not demo data.
INSERT INTO themes (slug, code, name, name_en, description, position) VALUES
('credit', '01', '信用', 'Credit', '企业和个人信用信息、行政许可与行政处罚、守信激励与失信惩戒。', 1),
('transport', '02', '交通', 'Transport', '公路、公交、轨道交通、水运与航空的线路、站点、运力和运行数据。', 2),
('medical', '03', '医疗', 'Medical care', '医疗机构、医保定点、诊疗服务与药品供应信息。', 3),
('health', '04', '卫生', 'Public health', '公共卫生、疾病预防控制、卫生监督与健康统计。', 4),
('employment', '05', '就业', 'Employment', '招聘岗位、职业培训、就业服务机构与劳动力市场统计。', 5),
('social-security', '06', '社保', 'Social security', '养老、医疗、失业、工伤和生育保险经办与统计。', 6),
('geography', '07', '地理', 'Geography', '行政区划、地名地址、基础测绘与地理信息。', 7),
('culture', '08', '文化', 'Culture', '公共文化设施、文物保护、旅游景区与文化活动。', 8),
('education', '09', '教育', 'Education', '各级各类学校、招生考试、教育经费与教育统计。', 9),
('science', '10', '科技', 'Science and technology', '科技项目、高新技术企业、科研平台与专利成果。', 10),
('resources', '11', '资源', 'Natural resources', '土地、矿产、水资源、林业资源的调查与利用。', 11),
('agriculture', '12', '农业', 'Agriculture', '农作物生产、农产品价格、农业经营主体与农村发展。', 12),
('environment', '13', '环境', 'Environment', '空气、水、土壤质量监测与污染源管理。', 13),
('work-safety', '14', '安监', 'Work safety', '安全生产许可、事故统计、隐患排查与执法检查。', 14),
('finance', '15', '金融', 'Finance', '金融机构、地方金融组织、融资服务与金融统计。', 15),
('quality', '16', '质量', 'Quality', '产品质量抽检、标准、计量与认证认可。', 16),
('statistics', '17', '统计', 'Statistics', '国民经济和社会发展统计数据与统计公报。', 17),
('meteorology', '18', '气象', 'Meteorology', '天气观测、预报预警与气候资料。', 18),
('ocean', '19', '海洋', 'Ocean and fisheries', '渔业、水产养殖与涉水资源数据。', 19),
('enterprise', '20', '企业登记监管', 'Business registration and supervision', '市场主体登记、年报公示、双随机抽查与监管信息。', 20),
('emergency', '21', '应急', 'Emergency', '自然灾害、事故灾难、公共卫生与社会安全事件的应急数据。', 21);

CREATE TABLE datasets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '',
    theme_id INTEGER NOT NULL REFERENCES themes (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    maintainer TEXT NOT NULL,
    open_class TEXT NOT NULL CHECK (open_class IN ('unconditional', 'conditional', 'closed')),
    open_conditions TEXT,
    legal_basis TEXT,
    update_frequency TEXT NOT NULL CHECK (update_frequency IN
        ('realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'annual', 'irregular')),
    published_at TIMESTAMP,
    last_updated_at TIMESTAMP NOT NULL,
    record_count BIGINT NOT NULL DEFAULT 0 CHECK (record_count >= 0),
    temporal_start DATE,
    temporal_end DATE,
    spatial_coverage TEXT NOT NULL CHECK (length(spatial_coverage) = 6),
    license TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    priority BOOLEAN NOT NULL DEFAULT 0,
    view_count BIGINT NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    download_count BIGINT NOT NULL DEFAULT 0 CHECK (download_count >= 0),
    created_at TIMESTAMP NOT NULL,
    modified_at TIMESTAMP NOT NULL,
    -- Art. 22 / DESIGN §2: conditional and closed data need a legal basis, and conditional
    -- data the conditions an applicant must meet.
    CHECK (open_class = 'unconditional' OR (legal_basis IS NOT NULL AND legal_basis <> '')),
    CHECK (open_class <> 'conditional' OR (open_conditions IS NOT NULL AND open_conditions <> '')),
    -- A published dataset has a publication date (so every ordering by it is the same on both
    -- back-ends, which place NULLs differently).
    CHECK (status <> 'published' OR published_at IS NOT NULL),
    CHECK (temporal_start IS NULL OR temporal_end IS NULL OR temporal_start <= temporal_end)
);
CREATE INDEX datasets_visibility ON datasets (status, open_class);
CREATE INDEX datasets_theme ON datasets (theme_id);
CREATE INDEX datasets_department ON datasets (department_id);
CREATE INDEX datasets_last_updated ON datasets (last_updated_at);
CREATE INDEX datasets_downloads ON datasets (download_count);

CREATE TABLE dataset_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    data_type TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    unit TEXT,
    masked BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (dataset_id, name)
);
CREATE INDEX dataset_fields_dataset ON dataset_fields (dataset_id, position);

CREATE TABLE dataset_formats (
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    format TEXT NOT NULL CHECK (format <> ''),
    PRIMARY KEY (dataset_id, format)
);
CREATE INDEX dataset_formats_format ON dataset_formats (format);

CREATE TABLE resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    encoding TEXT NOT NULL,
    row_count BIGINT CHECK (row_count >= 0),
    storage_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX resources_dataset ON resources (dataset_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'publisher', 'admin')),
    department_id INTEGER REFERENCES departments (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (role <> 'publisher' OR department_id IS NOT NULL)
);

-- Append-only: each row carries the hash of the previous row and its own hash over
-- (prev_hash, canonical content), so any edit or deletion breaks the chain.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
