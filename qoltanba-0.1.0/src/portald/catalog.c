/* What a client needs to fill in an application: subject types,
 * storage types with their default PINs, regions (domain.md section 6)
 * with their cities, the password policy and validity terms. */
#include "config.h"

#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/x509.h>
#include <qoltanba/password.h>

#include "portald/catalog.h"
#include "portald/ca.h"

struct tri { const char *en, *ru, *kk; };

static const struct {
	const char *name;
	struct tri label;
	const char *role_oid;
} SUBJECTS[PD_SUBJECT_TYPE_COUNT] = {
	{ "individual", { "Individual", "Физическое лицо", "Жеке тұлға" }, "1.2.398.3.3.4.1.1" },
	{ "chairman", { "Legal entity: first head", "Юридическое лицо: первый руководитель",
	  "Заңды тұлға: бірінші басшы" }, "1.2.398.3.3.4.1.2.1" },
	{ "signing_right", { "Legal entity: person with signing right",
	  "Юридическое лицо: лицо с правом подписи", "Заңды тұлға: қол қою құқығы бар тұлға" },
	  "1.2.398.3.3.4.1.2.2" },
	{ "financial", { "Legal entity: signing right for financial documents",
	  "Юридическое лицо: право подписи финансовых документов",
	  "Заңды тұлға: қаржы құжаттарына қол қою құқығы" }, "1.2.398.3.3.4.1.2.3" },
	{ "hr", { "Legal entity: HR officer", "Юридическое лицо: сотрудник отдела кадров",
	  "Заңды тұлға: кадр қызметінің қызметкері" }, "1.2.398.3.3.4.1.2.4" },
	{ "employee", { "Legal entity: employee", "Юридическое лицо: сотрудник",
	  "Заңды тұлға: қызметкер" }, "1.2.398.3.3.4.1.2.5" },
};

const struct pd_storage_info PD_STORAGES[] = {
	{ "pkcs12", QT_STORAGE_PKCS12, "PC (PKCS#12 file)", "", false, true },
	{ "idcard", QT_STORAGE_IDCARD, "ID card", "", true, false },
	{ "kaztoken", QT_STORAGE_KAZTOKEN, "Kaztoken", "12345678", false, false },
	{ "etoken72k", QT_STORAGE_ETOKEN72K, "eToken PRO 72K", "1234567890", false, false },
	{ "jacarta", QT_STORAGE_JACARTA, "JaCarta", "1234567890", false, false },
	{ "akey", QT_STORAGE_AKEY, "AKey", "1234567890", false, false },
	{ NULL, QT_STORAGE_UNKNOWN, NULL, NULL, false, false }
};

const struct pd_storage_info *pd_storage_find(const char *name)
{
	for (const struct pd_storage_info *s = PD_STORAGES; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

#define MAXC 4
static const struct {
	const char *iso;
	struct tri name;
	struct tri cities[MAXC];
} REGIONS[] = {
	{ "KZ-10", { "Abai", "Абайская область", "Абай облысы" },
	  { { "Semey", "Семей", "Семей" }, { "Kurchatov", "Курчатов", "Курчатов" },
	    { "Ayagoz", "Аягоз", "Аягөз" } } },
	{ "KZ-11", { "Akmola", "Акмолинская область", "Ақмола облысы" },
	  { { "Kokshetau", "Кокшетау", "Көкшетау" }, { "Stepnogorsk", "Степногорск", "Степногор" },
	    { "Shchuchinsk", "Щучинск", "Щучинск" } } },
	{ "KZ-15", { "Aktobe", "Актюбинская область", "Ақтөбе облысы" },
	  { { "Aktobe", "Актобе", "Ақтөбе" }, { "Khromtau", "Хромтау", "Хромтау" },
	    { "Kandyagash", "Кандыагаш", "Қандыағаш" } } },
	{ "KZ-19", { "Almaty Region", "Алматинская область", "Алматы облысы" },
	  { { "Konaev", "Конаев", "Қонаев" }, { "Kaskelen", "Каскелен", "Қаскелең" },
	    { "Talgar", "Талгар", "Талғар" } } },
	{ "KZ-23", { "Atyrau", "Атырауская область", "Атырау облысы" },
	  { { "Atyrau", "Атырау", "Атырау" }, { "Kulsary", "Кульсары", "Құлсары" } } },
	{ "KZ-27", { "West Kazakhstan", "Западно-Казахстанская область", "Батыс Қазақстан облысы" },
	  { { "Oral", "Уральск", "Орал" }, { "Aksay", "Аксай", "Ақсай" } } },
	{ "KZ-31", { "Zhambyl", "Жамбылская область", "Жамбыл облысы" },
	  { { "Taraz", "Тараз", "Тараз" }, { "Shu", "Шу", "Шу" }, { "Karatau", "Каратау", "Қаратау" } } },
	{ "KZ-33", { "Jetisu", "Жетысуская область", "Жетісу облысы" },
	  { { "Taldykorgan", "Талдыкорган", "Талдықорған" }, { "Zharkent", "Жаркент", "Жаркент" },
	    { "Tekeli", "Текели", "Текелі" } } },
	{ "KZ-35", { "Karaganda", "Карагандинская область", "Қарағанды облысы" },
	  { { "Karaganda", "Караганда", "Қарағанды" }, { "Temirtau", "Темиртау", "Теміртау" },
	    { "Balkhash", "Балхаш", "Балқаш" } } },
	{ "KZ-39", { "Kostanay", "Костанайская область", "Қостанай облысы" },
	  { { "Kostanay", "Костанай", "Қостанай" }, { "Rudny", "Рудный", "Рудный" },
	    { "Lisakovsk", "Лисаковск", "Лисаков" } } },
	{ "KZ-43", { "Kyzylorda", "Кызылординская область", "Қызылорда облысы" },
	  { { "Kyzylorda", "Кызылорда", "Қызылорда" }, { "Baikonur", "Байконур", "Байқоңыр" },
	    { "Aral", "Аральск", "Арал" } } },
	{ "KZ-47", { "Mangystau", "Мангистауская область", "Маңғыстау облысы" },
	  { { "Aktau", "Актау", "Ақтау" }, { "Zhanaozen", "Жанаозен", "Жаңаөзен" } } },
	{ "KZ-55", { "Pavlodar", "Павлодарская область", "Павлодар облысы" },
	  { { "Pavlodar", "Павлодар", "Павлодар" }, { "Ekibastuz", "Экибастуз", "Екібастұз" },
	    { "Aksu", "Аксу", "Ақсу" } } },
	{ "KZ-59", { "North Kazakhstan", "Северо-Казахстанская область", "Солтүстік Қазақстан облысы" },
	  { { "Petropavl", "Петропавловск", "Петропавл" }, { "Bulayevo", "Булаево", "Булаев" } } },
	{ "KZ-61", { "Turkistan", "Туркестанская область", "Түркістан облысы" },
	  { { "Turkistan", "Туркестан", "Түркістан" }, { "Kentau", "Кентау", "Кентау" },
	    { "Saryagash", "Сарыагаш", "Сарыағаш" } } },
	{ "KZ-62", { "Ulytau", "Улытауская область", "Ұлытау облысы" },
	  { { "Zhezkazgan", "Жезказган", "Жезқазған" }, { "Satbayev", "Сатпаев", "Сәтбаев" } } },
	{ "KZ-63", { "East Kazakhstan", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы" },
	  { { "Oskemen", "Усть-Каменогорск", "Өскемен" }, { "Ridder", "Риддер", "Риддер" },
	    { "Altai", "Алтай", "Алтай" } } },
	{ "KZ-71", { "Astana (city)", "Астана", "Астана" }, { { "Astana", "Астана", "Астана" } } },
	{ "KZ-75", { "Almaty (city)", "Алматы", "Алматы" }, { { "Almaty", "Алматы", "Алматы" } } },
	{ "KZ-79", { "Shymkent (city)", "Шымкент", "Шымкент" }, { { "Shymkent", "Шымкент", "Шымкент" } } },
};

const char *pd_region_city(const char *iso, const char *city)
{
	for (size_t i = 0; i < sizeof(REGIONS) / sizeof(REGIONS[0]); i++) {
		if (strcmp(REGIONS[i].iso, iso))
			continue;
		for (int c = 0; c < MAXC && REGIONS[i].cities[c].en; c++) {
			const struct tri *t = &REGIONS[i].cities[c];

			if (!strcmp(t->en, city) || !strcmp(t->ru, city) || !strcmp(t->kk, city))
				return t->en;
		}
		return NULL;
	}
	return NULL;
}

bool pd_region_known(const char *iso)
{
	for (size_t i = 0; i < sizeof(REGIONS) / sizeof(REGIONS[0]); i++)
		if (!strcmp(REGIONS[i].iso, iso))
			return true;
	return false;
}

static cJSON *tri(const struct tri *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "en", t->en);
	cJSON_AddStringToObject(o, "ru", t->ru);
	cJSON_AddStringToObject(o, "kk", t->kk);
	return o;
}

cJSON *pd_catalog_json(bool captcha)
{
	cJSON *root = cJSON_CreateObject(), *a, *o, *pol;

	a = cJSON_AddArrayToObject(root, "subject_types");
	for (int i = 0; i < PD_SUBJECT_TYPE_COUNT; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", SUBJECTS[i].name);
		cJSON_AddItemToObject(o, "label", tri(&SUBJECTS[i].label));
		cJSON_AddBoolToObject(o, "legal_entity", i != 0);
		cJSON_AddBoolToObject(o, "requires_bin", i != 0);
		cJSON_AddBoolToObject(o, "must_be_head", i == 1);
		cJSON_AddStringToObject(o, "role_oid", SUBJECTS[i].role_oid);
		cJSON_AddItemToObject(o, "templates", cJSON_CreateStringArray(
			(const char *[]){ "auth", "sign" }, 2));
		cJSON_AddItemToArray(a, o);
	}
	a = cJSON_AddArrayToObject(root, "storages");
	for (const struct pd_storage_info *s = PD_STORAGES; s->name; s++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", s->name);
		cJSON_AddStringToObject(o, "label", s->label);
		if (*s->default_pin)
			cJSON_AddStringToObject(o, "default_pin", s->default_pin);
		else
			cJSON_AddNullToObject(o, "default_pin");
		cJSON_AddBoolToObject(o, "individuals_only", s->individuals_only);
		cJSON_AddBoolToObject(o, "file", s->file);
		cJSON_AddNumberToObject(o, "validity_days", pd_ca_validity_days(s->storage));
		if (s->file)
			cJSON_AddStringToObject(o, "warning",
				"A key store on a PC is not protected by hardware.");
		cJSON_AddItemToArray(a, o);
	}
	a = cJSON_AddArrayToObject(root, "regions");
	for (size_t i = 0; i < sizeof(REGIONS) / sizeof(REGIONS[0]); i++) {
		cJSON *cs;

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "iso", REGIONS[i].iso);
		cJSON_AddItemToObject(o, "name", tri(&REGIONS[i].name));
		cs = cJSON_AddArrayToObject(o, "cities");
		for (int c = 0; c < MAXC && REGIONS[i].cities[c].en; c++)
			cJSON_AddItemToArray(cs, tri(&REGIONS[i].cities[c]));
		cJSON_AddItemToArray(a, o);
	}
	pol = cJSON_AddObjectToObject(root, "password_policy");
	cJSON_AddNumberToObject(pol, "min_length", QT_PASSWORD_MIN);
	cJSON_AddNumberToObject(pol, "max_length", QT_PASSWORD_MAX);
	cJSON_AddBoolToObject(pol, "requires_latin_letter", true);
	cJSON_AddBoolToObject(pol, "requires_digit", true);
	cJSON_AddStringToObject(pol, "allowed_specials", QT_PASSWORD_SPECIALS);
	cJSON_AddStringToObject(pol, "note",
		"The password cannot be recovered; a lost password means the keys must be revoked.");
	o = cJSON_AddObjectToObject(root, "validity");
	cJSON_AddNumberToObject(o, "file_days", PD_CA_DAYS_FILE);
	cJSON_AddNumberToObject(o, "token_days", PD_CA_DAYS_TOKEN);
	cJSON_AddNumberToObject(o, "verify_within_days", 30);
	cJSON_AddBoolToObject(root, "captcha_required", captcha);
	cJSON_AddNumberToObject(root, "body_limit_bytes", 64 * 1024);
	return root;
}
