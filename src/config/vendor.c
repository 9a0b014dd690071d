/* vendor.c: the storage vendor table and the secret-key rules (see
 * vendor.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "config/vendor.h"

/* The keys every vendor's storage secret has. */
static const struct vendor_key common_keys[] = {
	{ "storage_hostname", "STORAGE_HOSTNAME", true, false, false },
	{ "storage_username", "STORAGE_USERNAME", true, false, true },
	{ "storage_password", "STORAGE_PASSWORD", true, true, true },
	{ "storage_token", "STORAGE_TOKEN", false, true, false },
	{ NULL, NULL, false, false, false },
};

/* Vendor -> the copyoffload keys its storage secret needs beyond the
 * common ones (forklift-api.md 3.2; mtv-api-tests' vendor_specific_fields). */
const struct vendor vendors[] = {
	{ "ontap", false, { { "ontap_svm", "ONTAP_SVM", true, false, false } } },
	{ "vantara", false, {
		{ "vantara_storage_id", "STORAGE_ID", true, false, false },
		{ "vantara_storage_port", "STORAGE_PORT", true, false, false },
		{ "vantara_hostgroup_id_list", "HOSTGROUP_ID_LIST", true, false, false } } },
	{ "primera3par", false, { { NULL, NULL, false, false, false } } },
	{ "pureFlashArray", true, {
		{ "pure_cluster_prefix", "PURE_CLUSTER_PREFIX", true, false, false } } },
	{ "powerflex", false, {
		{ "powerflex_system_id", "POWERFLEX_SYSTEM_ID", true, false, false } } },
	{ "powermax", false, {
		{ "powermax_symmetrix_id", "POWERMAX_SYMMETRIX_ID", true, false, false } } },
	{ "powerstore", false, { { NULL, NULL, false, false, false } } },
	{ "infinibox", false, { { NULL, NULL, false, false, false } } },
	{ "flashsystem", false, { { NULL, NULL, false, false, false } } },
	{ NULL, false, { { NULL, NULL, false, false, false } } },
};

/* Top-level profile keys and copyoffload keys whose values are secrets. */
const char *const profile_secret_keys[] = {
	"password", "guest_vm_linux_password", "guest_vm_win_password",
	"luks_passphrase", "cluster_password",
	"copyoffload.storage_password", "copyoffload.storage_token",
	"copyoffload.esxi_password", NULL,
};

const struct vendor *
vendor_find(const char *product)
{
	const struct vendor *v;

	for (v = vendors; product && v->product; v++)
		if (str_eq(v->product, product))
			return v;
	return NULL;
}

bool
vendor_known(const char *vendor)
{
	return vendor_find(vendor) != NULL;
}

bool
vendor_takes_token(const char *vendor)
{
	const struct vendor *v = vendor_find(vendor);

	return v && v->token;
}

const struct vendor_key *
vendor_key_next(const char *vendor, size_t *it, bool *common)
{
	const struct vendor *v = vendor_find(vendor);
	size_t ncommon = ARRAY_SIZE(common_keys) - 1, i = (*it)++;

	if (common)
		*common = i < ncommon;
	if (i < ncommon)
		return &common_keys[i];
	i -= ncommon;
	if (v == NULL || i >= VENDOR_KEYS_MAX || v->keys[i].key == NULL)
		return NULL;
	return &v->keys[i];
}

/* copyoffload key in upper case, as its environment variable has it. */
static char *
upper(const char *s)
{
	char *up = xstrdup(s);
	size_t i;

	for (i = 0; up[i]; i++)
		up[i] = (char)toupper((unsigned char)up[i]);
	return up;
}

char *
vendor_secret_missing(json_object *sd, const char *vendor)
{
	struct strbuf sb = STRBUF_INIT, alt = STRBUF_INIT;
	const struct vendor_key *vk;
	bool token = vendor_takes_token(vendor) && jstr(sd, "STORAGE_TOKEN"),
	     common, alt_missing = false;
	size_t it = 0;

	while ((vk = vendor_key_next(vendor, &it, &common)) != NULL) {
		const char *v = jstr(sd, vk->secret_key);
		char *up;

		if (vk->token_alt) {
			strbuf_addf(&alt, "%s%s", alt.len ? " and " : "",
				    vk->secret_key);
			alt_missing |= !token && !(v && *v);
			continue;
		}
		if (!vk->required || (v && *v))
			continue;
		up = upper(vk->key);
		strbuf_addf(&sb, "%s%s (copyoffload.%s or COPYOFFLOAD_%s)",
			    sb.len ? ", " : "", vk->secret_key, vk->key, up);
		free(up);
	}
	if (alt_missing)
		strbuf_addf(&sb, "%s%s%s", sb.len ? ", " : "", strbuf_str(&alt),
			    vendor_takes_token(vendor) ? " (or STORAGE_TOKEN)" : "");
	strbuf_release(&alt);
	if (sb.len == 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

bool
profile_key_secret(const char *path)
{
	size_t i;

	for (i = 0; profile_secret_keys[i]; i++)
		if (str_eq(path, profile_secret_keys[i]))
			return true;
	if (str_startswith(path, "copyoffload.storage_secret_extra."))
		return extra_key_secret(path +
					strlen("copyoffload.storage_secret_extra."));
	return false;
}

/* Extra storage-secret keys that name a secret (PASSWORD, TOKEN, SECRET,
 * KEY): their values are masked and replaced by placeholders. */
bool
extra_key_secret(const char *key)
{
	static const char *const words[] = {
		"PASSWORD", "TOKEN", "SECRET", "KEY", "PASSPHRASE",
	};
	char *up = upper(key);
	size_t i;
	bool hit = false;

	for (i = 0; i < ARRAY_SIZE(words) && !hit; i++)
		hit = strstr(up, words[i]) != NULL;
	free(up);
	return hit;
}
