/* vendor.h: the storage vendors of copy-offload (forklift-api.md 3.2): one
 * row per storageVendorProduct with the keys its storage secret needs,
 * and the rules on which profile keys hold secrets. Used by the profile
 * checks, the plan's storage secret and the secret step. */
#ifndef MTV_VENDOR_H
#define MTV_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* One key of the storage secret: the copyoffload key it comes from, its
 * name in the Secret, whether it is required, whether its value is a
 * secret, and whether STORAGE_TOKEN stands in for it (vendors that take a
 * token). */
struct vendor_key {
	const char *key;
	const char *secret_key;
	bool required;
	bool secret;
	bool token_alt;
};

#define VENDOR_KEYS_MAX 4

/* A storageVendorProduct value: its own keys (beyond the common ones) and
 * whether STORAGE_TOKEN may replace user and password. Adding a vendor is
 * one row of vendors[] in vendor.c (and its name in the schema's enum,
 * which a unit test compares). */
struct vendor {
	const char *product;
	bool token;
	struct vendor_key keys[VENDOR_KEYS_MAX];	/* end: NULL key */
};

/* Every vendor (end: NULL product). */
extern const struct vendor vendors[];

/* The row of product, or NULL. */
const struct vendor *vendor_find(const char *product);
/* Is vendor one of the storageVendorProduct values? */
bool vendor_known(const char *vendor);
/* The keys of vendor's storage secret, the common ones first: start with
 * *it = 0; NULL after the last. *common (may be NULL) tells which. */
const struct vendor_key *vendor_key_next(const char *vendor, size_t *it,
					 bool *common);
/* May STORAGE_TOKEN replace the token_alt keys for vendor? */
bool vendor_takes_token(const char *vendor);
/* Every required key the vendor needs that stringData sd lacks, as one
 * message (NULL: none; caller frees). */
char *vendor_secret_missing(json_object *sd, const char *vendor);
/* Profile key paths whose values are secrets (end: NULL). */
extern const char *const profile_secret_keys[];
/* Does a storage_secret_extra key name a secret (PASSWORD, TOKEN...)? */
bool extra_key_secret(const char *key);
/* Is the profile key path ("password", "copyoffload.esxi_password") a secret? */
bool profile_key_secret(const char *path);

#endif
