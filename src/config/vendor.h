/* profile_vendor.h: the vendor table and secret-key rules shared by
 * profile.c (checks) and plan.c (the storage secret manifest). */
#ifndef MTV_PROFILE_VENDOR_H
#define MTV_PROFILE_VENDOR_H

#include <stdbool.h>
#include <stddef.h>

/* One key of the storage secret: which vendor needs it (NULL: every
 * vendor), the copyoffload key it comes from, its name in the Secret,
 * whether it is required and whether its value is a secret. A vendor with
 * no keys of its own has one row with key NULL. */
struct vendor_key {
	const char *vendor;
	const char *key;
	const char *secret_key;
	bool required;
	bool secret;
};

extern const struct vendor_key vendor_keys[];
extern const size_t vendor_keys_n;

/* Is vendor one of the nine storageVendorProduct values? */
bool vendor_known(const char *vendor);
/* Does a storage_secret_extra key name a secret (PASSWORD, TOKEN...)? */
bool extra_key_secret(const char *key);
/* Is the profile key path ("password", "copyoffload.esxi_password") a secret? */
bool profile_key_secret(const char *path);

#ifdef MTV_TESTING
/* Internals visible to the unit tests (MTV_STATIC). */
#include <json-c/json.h>
struct mtv_diags;
void strip_comment_lines(char *buf, size_t len);
void profile_env_apply(json_object *data, struct mtv_diags *diags);
struct mtv_profile;
void profile_check_copyoffload(const struct mtv_profile *p, struct mtv_diags *diags);
char *plan_vm_name_sanitise(const char *name);
bool plan_dns_subdomain(const char *s);
char *plan_target_vm_name(const char *source);
char *plan_dns_label(const char *s, size_t max);
void plan_run_id(const char *name, char out[7]);
#endif

#endif
