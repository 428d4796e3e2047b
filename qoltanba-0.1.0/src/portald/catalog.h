/* The catalog of GET /api/v1/catalog and its lookups. */
#ifndef PD_CATALOG_H
#define PD_CATALOG_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <qoltanba/cert.h>

struct pd_storage_info {
	const char *name;            /* API id */
	enum qt_storage storage;
	const char *label;
	const char *default_pin;     /* "" when none */
	bool individuals_only;
	bool file;
};

extern const struct pd_storage_info PD_STORAGES[];   /* ends with name NULL */
const struct pd_storage_info *pd_storage_find(const char *name);

bool pd_region_known(const char *iso);
/* The English id of a city of the region, given any of its names;
 * NULL when the region has no such city. */
const char *pd_region_city(const char *iso, const char *city);

cJSON *pd_catalog_json(bool captcha);

#endif
