/* test_esxi.c: the ESXi helpers that need no host: the restricted line,
 * fingerprint comparison and exact authorized_keys edits. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "esxi/esxi.h"


#define PUB "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 forklift"

static void
test_restricted_line(void)
{
	char *l = esxi_restricted_line("  " PUB "\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT(strncmp(l, "command=\"sh -c '", 16) == 0);
	/* the template's quotes are escaped inside the option */
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "echo \\\"SSH_OK\\\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "exec sh /vmfs/volumes/$DS/secure-vmkfstools-wrapper; fi'\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "SSH_ORIGINAL_COMMAND=\\\"$CMD\\\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(l, "\",no-port-forwarding,no-agent-forwarding,"
				      "no-X11-forwarding " PUB));
	CU_ASSERT(str_endswith(l, "forklift"));
	CU_ASSERT_PTR_NULL(strstr(l, ".py"));
	CU_ASSERT_PTR_NULL(strchr(l, '\n'));
	CU_ASSERT_PTR_NULL(esxi_restricted_line(NULL));
	free(l);
}

static void
test_fingerprint_eq(void)
{
	const char *f = "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

	CU_ASSERT(esxi_fingerprint_eq(f, "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
	CU_ASSERT(!esxi_fingerprint_eq(f, "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9"));
	CU_ASSERT(!esxi_fingerprint_eq(f, "SHA256:"));
}

static void
test_append(void)
{
	bool present;
	char *s;

	s = esxi_keys_append(NULL, "L1", &present);
	CU_ASSERT(!present);
	CU_ASSERT_STRING_EQUAL(s, "L1\n");
	free(s);
	/* a file without a final newline gets one before our line */
	s = esxi_keys_append("a\nb", "L1", &present);
	CU_ASSERT_STRING_EQUAL(s, "a\nb\nL1\n");
	free(s);
	/* once: an identical line (even with CRLF) is not added again */
	s = esxi_keys_append("a\r\nL1\r\nb\n", "L1", &present);
	CU_ASSERT(present);
	CU_ASSERT_PTR_NULL(s);
	/* a line that only contains ours is a different line */
	s = esxi_keys_append("xL1\n# L1\n", "L1", &present);
	CU_ASSERT(!present);
	CU_ASSERT_STRING_EQUAL(s, "xL1\n# L1\nL1\n");
	free(s);
}

static void
test_remove(void)
{
	int n;
	char *s;

	/* exactly our line goes; the same key in another line stays */
	s = esxi_keys_remove("keep1\nL1\ncommand=\"python x.py\" L1tail\nL1\nkeep2", "L1", &n);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(s, "keep1\ncommand=\"python x.py\" L1tail\nkeep2");
	free(s);
	s = esxi_keys_remove("a\nb\n", "L1", &n);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(s, "a\nb\n");
	free(s);
	s = esxi_keys_remove(NULL, "L1", &n);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	/* add then remove gives the original bytes back */
	{
		bool present;
		char *a = esxi_keys_append("x\n\ny", "L2", &present);
		char *b = esxi_keys_remove(a, "L2", &n);

		CU_ASSERT_STRING_EQUAL(b, "x\n\ny\n");
		free(a);
		free(b);
	}
}

static void
test_connect_errors(void)
{
	struct esxi_opts o;
	struct mtv_err err = { 0 };
	bool added = true;

	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(esxi_key_add(&o, "L", &added, &err), MTV_EINVAL);
	CU_ASSERT(!added);
	o.host = "127.0.0.1";
	o.port = 1;	/* nothing listens there */
	CU_ASSERT_EQUAL(esxi_key_remove(&o, "L", &err), MTV_ENET);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "127.0.0.1:1"));
}

static CU_TestInfo tests_esxi[] = {
	{ "restricted line follows Forklift's template", test_restricted_line },
	{ "fingerprints compare without padding", test_fingerprint_eq },
	{ "append once", test_append },
	{ "remove exactly our line", test_remove },
	{ "connection errors name the host", test_connect_errors },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_esxi[] = {
	{ "esxi", NULL, NULL, NULL, NULL, tests_esxi },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_esxi)
