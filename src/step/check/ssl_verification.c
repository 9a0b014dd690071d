/* ssl_verification: the source Provider's Secret (the one its
 * spec.secret names) says insecureSkipVerify exactly as the profile does
 * ("true" with insecure: true, else "false"), as the pytest suite's
 * check_ssl_configuration reads it. Once per run, on by default. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "step/check/check.h"

static void
plan_ssl(struct check_build *b)
{
	const struct check_model *m = b->m;
	json_object *c;

	if (m->src_provider == NULL)
		return;
	c = check_entry(b, "ssl_verification");
	jputs(c, "provider", m->src_provider);
	jputs(c, "secret", m->src_secret);
	jputs(c, "namespace", m->ns);
	jputs(c, "expect", m->insecure ? "true" : "false");
}

/* Listing it adds nothing: every run has the entry. */
static void
listed_ssl(struct check_build *b, json_object *e, size_t at)
{
	(void)b;
	(void)e;
	(void)at;
}

/* The base64 value s decoded (caller frees), or NULL. */
static char *
b64(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char *out;
	int len;

	if (s == NULL)
		return NULL;
	out = xmalloc(n / 4 * 3 + 4);
	len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	while (n && s[n - 1] == '=' && len > 0) {
		len--;
		n--;
	}
	out[len] = '\0';
	return (char *)out;
}

static void
run_ssl(struct check_run *r, json_object *c)
{
	const char *ns = jstr(c, "namespace"), *want = jstr(c, "expect");
	json_object *prov = NULL, *sec = NULL, *ref;
	const char *sname = jstr(c, "secret"), *sns = ns;
	struct mtv_err e = { 0 };
	char *path = kube_path("Provider", ns, jstr(c, "provider")), *found;

	if (kube_get(r->k, path, &prov, &e) != 0) {
		check_fail(r, "provider '%s': %s", jstr(c, "provider"), e.msg);
		goto out;
	}
	ref = jget(jget(prov, "spec"), "secret");
	if (jstr(ref, "name"))
		sname = jstr(ref, "name");
	if (jstr(ref, "namespace"))
		sns = jstr(ref, "namespace");
	free(path);
	path = kube_path("Secret", sns, sname);
	if (kube_get(r->k, path, &sec, &e) != 0) {
		check_fail(r, "secret '%s' of provider '%s': %s", sname,
			   jstr(c, "provider"), e.msg);
		goto out;
	}
	found = jget(sec, "data") ?
		b64(jstr(jget(sec, "data"), "insecureSkipVerify")) :
		jstr(jget(sec, "stringData"), "insecureSkipVerify") ?
		xstrdup(jstr(jget(sec, "stringData"), "insecureSkipVerify")) :
		NULL;
	check_evidence(r, "secret_used", json_object_new_string(sname));
	check_evidence(r, "found", found ? json_object_new_string(found) :
		       NULL);
	if (!str_eq(found, want))
		check_fail(r, "secret '%s' of provider '%s': "
			   "insecureSkipVerify '%s', the profile says '%s'",
			   sname, jstr(c, "provider"), found ? found : "unset",
			   want);
	else
		check_pass(r, "provider '%s' %s vCenter's certificate, as the "
			   "profile says", jstr(c, "provider"),
			   str_eq(want, "true") ? "skips verifying" :
			   "verifies");
	free(found);
out:
	json_object_put(sec);
	json_object_put(prov);
	free(path);
}

const struct check_kind check_ssl_verification = {
	.name = "ssl_verification",
	.summary = "the source Provider's Secret verifies TLS as the profile "
		   "says",
	.when = CHECK_LATE,
	.plan = plan_ssl,
	.listed = listed_ssl,
	.run = run_ssl,
};
