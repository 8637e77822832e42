-- Issue 20: datasets, departments, themes and emergency events may carry an English title and
-- summary beside the Chinese ones (NULL: none given). The search index holds the English title
-- and summary of a dataset, so a change to them is recorded in the outbox too.
ALTER TABLE datasets ADD COLUMN title_en TEXT;
ALTER TABLE datasets ADD COLUMN summary_en TEXT;
ALTER TABLE departments ADD COLUMN name_en TEXT;
ALTER TABLE departments ADD COLUMN description_en TEXT;
ALTER TABLE themes ADD COLUMN description_en TEXT;
ALTER TABLE emergency_events ADD COLUMN title_en TEXT;
ALTER TABLE emergency_events ADD COLUMN summary_en TEXT;
-- The English descriptions of the 21 themes (reference data, like the themes themselves).
UPDATE themes SET description_en = 'Credit information on enterprises and individuals, administrative licences and penalties, rewards for trustworthiness and sanctions for dishonesty.' WHERE slug = 'credit';
UPDATE themes SET description_en = 'Routes, stops, capacity and operations of roads, buses, rail transit, waterways and aviation.' WHERE slug = 'transport';
UPDATE themes SET description_en = 'Medical institutions, designated medical-insurance providers, medical services and the supply of medicines.' WHERE slug = 'medical';
UPDATE themes SET description_en = 'Public health, disease prevention and control, health inspection and health statistics.' WHERE slug = 'health';
UPDATE themes SET description_en = 'Job vacancies, vocational training, employment service agencies and labour-market statistics.' WHERE slug = 'employment';
UPDATE themes SET description_en = 'Administration and statistics of pension, medical, unemployment, work-injury and maternity insurance.' WHERE slug = 'social-security';
UPDATE themes SET description_en = 'Administrative divisions, place names and addresses, basic surveying and geographic information.' WHERE slug = 'geography';
UPDATE themes SET description_en = 'Public cultural facilities, protection of cultural relics, tourist attractions and cultural events.' WHERE slug = 'culture';
UPDATE themes SET description_en = 'Schools of every level and kind, enrolment and examinations, education funding and statistics.' WHERE slug = 'education';
UPDATE themes SET description_en = 'Science and technology projects, high-tech enterprises, research platforms, patents and results.' WHERE slug = 'science';
UPDATE themes SET description_en = 'Surveys and use of land, mineral, water and forest resources.' WHERE slug = 'resources';
UPDATE themes SET description_en = 'Crop production, prices of farm produce, agricultural businesses and rural development.' WHERE slug = 'agriculture';
UPDATE themes SET description_en = 'Monitoring of air, water and soil quality, and the management of pollution sources.' WHERE slug = 'environment';
UPDATE themes SET description_en = 'Work-safety licences, accident statistics, hazard inspections and law enforcement.' WHERE slug = 'work-safety';
UPDATE themes SET description_en = 'Financial institutions, local financial organisations, financing services and financial statistics.' WHERE slug = 'finance';
UPDATE themes SET description_en = 'Product quality spot checks, standards, metrology, certification and accreditation.' WHERE slug = 'quality';
UPDATE themes SET description_en = 'Statistics and statistical communiqués on the national economy and social development.' WHERE slug = 'statistics';
UPDATE themes SET description_en = 'Weather observations, forecasts, warnings and climate data.' WHERE slug = 'meteorology';
UPDATE themes SET description_en = 'Fisheries, aquaculture and water-related resources.' WHERE slug = 'ocean';
UPDATE themes SET description_en = 'Registration of market entities, annual reports, random inspections and supervision.' WHERE slug = 'enterprise';
UPDATE themes SET description_en = 'Emergency data on natural disasters, accidents, public-health and social-security incidents.' WHERE slug = 'emergency';
DROP TRIGGER search_datasets_update ON datasets;
CREATE TRIGGER search_datasets_update AFTER UPDATE OF slug, title, summary, keywords, theme_id,
    department_id, open_class, update_frequency, status, published_at, last_updated_at,
    modified_at, created_at, license, title_en, summary_en ON datasets
    FOR EACH ROW EXECUTE FUNCTION search_outbox_dataset();
