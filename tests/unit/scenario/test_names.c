/* test_names.c: the naming rules: Forklift's ChangeVmName and the target
 * VM name on long (74 characters), dotted, capitalised and underscored
 * names, DNS-1123 checks, the run's DNS labels. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util/util.h"
#include "scenario/names.h"

static void
check_change(const char *in, const char *want)
{
	char *s = name_change_vm(in);

	CU_ASSERT_STRING_EQUAL(s, want);
	free(s);
}

static void
check_target(const char *in, const char *want)
{
	char *s = name_target_vm(in);

	CU_ASSERT_STRING_EQUAL(s, want);
	free(s);
}

static void
test_change_vm_name(void)
{
	/* the examples of Forklift's utils_test.go */
	check_change("vm with spaces in name", "vm-with-spaces-in-name");
	check_change("vm---with----multiple-----dashes", "vm-with-multiple-dashes");
	check_change("mtv.func.-.rhel.-...8.8", "mtv.func.rhel.8.8");
	check_change("----Vm!@#$%^&*()_+-Name/.is,';[]-CorREct-<>123----",
		     "vm-name.is-correct-123");
	check_change("My_VM", "my-vm");
	check_change("abc1-XCopy_Test_VM_CAPS", "abc1-xcopy-test-vm-caps");
	check_change("a+b*c/d\\e", "a-b-c-d-e");
	/* nothing left: Forklift draws a random name */
	check_change("!!!", "");
	check_change("", "");
}

static void
test_long_names(void)
{
	/* 74 characters: a valid subdomain is kept whole (Forklift checks
	 * IsDNS1123Subdomain, which has no limit per part); with a capital
	 * or an underscore it goes through ChangeVmName and is cut to 63 */
	char *ok = xasprintf("%s", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-"
			     "abcdefghij-abcdefghij-abcdefgh");
	char *caps = xstrdup(ok), *under = xstrdup(ok), *dotted, *s;

	CU_ASSERT_EQUAL(strlen(ok), 74);
	caps[0] = 'A';
	under[10] = '_';
	check_target(ok, ok);
	s = name_target_vm(caps);
	CU_ASSERT_EQUAL(strlen(s), 63);
	CU_ASSERT_NSTRING_EQUAL(s, ok, 63);
	free(s);
	s = name_target_vm(under);
	CU_ASSERT_EQUAL(strlen(s), 63);
	CU_ASSERT_NSTRING_EQUAL(s, ok, 63);
	free(s);
	/* the cut at 63 drops a trailing dash */
	s = xasprintf("%062d-Xyz", 0);
	check_change(s, "00000000000000000000000000000000000000000000000000000000000000");
	free(s);
	/* dotted and too long: each part to 63, the whole to 63, then trailing
	 * dots and dashes trimmed */
	dotted = xasprintf("%s.%s", caps, "Second");
	s = name_change_vm(dotted);
	CU_ASSERT_EQUAL(strlen(s), 63);
	CU_ASSERT_PTR_NULL(strchr(s, '.'));
	free(s);
	free(dotted);
	s = xasprintf("%080d", 7);
	check_target(s, s);	/* 80 digits: still a subdomain */
	free(s);
	free(ok);
	free(caps);
	free(under);
}

static void
test_dotted_and_capitalised(void)
{
	check_target("ok.name", "ok.name");
	check_target("Web01.Example.COM", "web01.example.com");
	check_target("db_server.prod", "db-server.prod");
	check_target("vm---with----multiple-----dashes",
		     "vm---with----multiple-----dashes");
	check_target("My_VM", "my-vm");
	check_target("Name..Dots", "name.dots");
}

static void
test_dns(void)
{
	char *s;

	CU_ASSERT_TRUE(name_dns_subdomain("a.b-c"));
	CU_ASSERT_FALSE(name_dns_subdomain("A"));
	CU_ASSERT_FALSE(name_dns_subdomain("a..b"));
	CU_ASSERT_FALSE(name_dns_subdomain("-a"));
	CU_ASSERT_FALSE(name_dns_subdomain("a-.b"));
	CU_ASSERT_FALSE(name_dns_subdomain(""));
	s = xasprintf("%0254d", 1);
	CU_ASSERT_FALSE(name_dns_subdomain(s));
	free(s);
	CU_ASSERT_TRUE(name_dns_label_ok("abc-1"));
	CU_ASSERT_FALSE(name_dns_label_ok("a.b"));
	s = xasprintf("%064d", 1);
	CU_ASSERT_FALSE(name_dns_label_ok(s));
	free(s);
	s = name_dns_label("Ab__C--", 63);
	CU_ASSERT_STRING_EQUAL(s, "ab-c");
	free(s);
	s = name_dns_label("--X.y_Z--", 3);
	CU_ASSERT_STRING_EQUAL(s, "x-y");
	free(s);
	s = name_dns_label("ab-cd", 3);
	CU_ASSERT_STRING_EQUAL(s, "ab");
	free(s);
}

static CU_TestInfo tests_names[] = {
	{ "ChangeVmName", test_change_vm_name },
	{ "long names (74 characters)", test_long_names },
	{ "dotted, capitalised and underscored names", test_dotted_and_capitalised },
	{ "DNS-1123 checks and labels", test_dns },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_names[] = {
	{ "names", NULL, NULL, NULL, NULL, tests_names },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_names);
