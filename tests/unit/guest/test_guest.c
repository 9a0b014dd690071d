/* test_guest.c: the guest SSH client's host key check, which needs no
 * server: OpenSSH key lines, a match, a mismatch naming both SHA256
 * fingerprints (as ssh-keygen -l prints them), no expected key. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "guest/guest.h"

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqVFpnCKGEB41k0p/HW/lZuFmuNpn9A6gPGaDubPdV3"
#define FP_A "SHA256:agjFv8WasP5omT7FjWg1BwCAtsP5s67pH6DCTwHAlpk"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINxFZg3jNOOdsUfPWDfX3dQ+cdEFmR+9eWeI5bY69UDZ"
#define FP_B "SHA256:/waP8xU1DLAz70Ttgat7B4319DciUNZLHPizLTI79W8"

static void
test_key_parse(void)
{
	unsigned char *b = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(guest_key_parse("  " KEY_A " root@vm\n", &b,
					      &n), 0);
	CU_ASSERT_EQUAL(n, 51);	/* string "ssh-ed25519", string key[32] */
	free(b);
	/* the type outside must be the one inside */
	CU_ASSERT_EQUAL(guest_key_parse("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJqVFpnCKGEB41k0p/HW/lZuFmuNpn9A6gPGaDubPdV3",
					&b, &n), -1);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(guest_key_parse("ssh-ed25519", &b, &n), -1);
	CU_ASSERT_EQUAL(guest_key_parse("ssh-ed25519 !!!", &b, &n), -1);
	CU_ASSERT_EQUAL(guest_key_parse("", &b, &n), -1);
}

static void
test_hostkey_check(void)
{
	struct mtv_err err = { 0 };
	unsigned char *a = NULL;
	size_t n = 0;
	char *seen = NULL;

	CU_ASSERT_EQUAL_FATAL(guest_key_parse(KEY_A, &a, &n), 0);
	ASSERT_OK(guest_hostkey_check(a, n, KEY_A " comment", false, &seen,
				      &err), &err);
	CU_ASSERT_STRING_EQUAL(seen, KEY_A);
	free(seen);
	/* a different key: refused, both fingerprints named */
	CU_ASSERT_EQUAL(guest_hostkey_check(a, n, KEY_B, true, &seen, &err),
			MTV_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mismatch"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, FP_A));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, FP_B));
	CU_ASSERT_STRING_EQUAL(seen, KEY_A);	/* what the guest offered */
	free(seen);
	/* no expected key: refused unless asked for */
	CU_ASSERT_EQUAL(guest_hostkey_check(a, n, NULL, false, &seen, &err),
			MTV_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, FP_A));
	free(seen);
	ASSERT_OK(guest_hostkey_check(a, n, "", true, &seen, &err), &err);
	free(seen);
	/* an expected key that is no key line is a usage error */
	CU_ASSERT_EQUAL(guest_hostkey_check(a, n, "SHA256:xyz", false, &seen,
					    &err), MTV_EINVAL);
	free(seen);
	free(a);
}

static CU_TestInfo tests_guest[] = {
	{ "OpenSSH public key lines", test_key_parse },
	{ "host key compare", test_hostkey_check },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_guest[] = {
	{ "guest", NULL, NULL, NULL, NULL, tests_guest },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_guest)
