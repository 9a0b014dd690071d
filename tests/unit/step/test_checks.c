/* test_checks.c: the verify checks: the table against the schema (a check
 * the scenario may name is never dropped), planning from a check model,
 * and checks reported as skipped. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "doc/doc.h"
#include "step/check/check.h"

/* The schema's enum of expect.checks[].check. */
static json_object *
schema_checks(json_object **schema)
{
	*schema = json_tokener_parse(schema_text("scenario"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(*schema);
	return jget(jget(jget(jget(jget(*schema, "$defs"), "check"),
			      "properties"), "check"), "enum");
}

static bool
in_enum(json_object *en, const char *name)
{
	size_t i;

	for (i = 0; i < jlen(en); i++)
		if (str_eq(json_object_get_string(
		    json_object_array_get_idx(en, i)), name))
			return true;
	return false;
}

static void
test_table_schema(void)
{
	json_object *schema, *en = schema_checks(&schema), *props;
	size_t i, j, listed = 0;

	CU_ASSERT_FATAL(jlen(en) > 0);
	/* every name the schema accepts has a check that plans it */
	for (i = 0; i < jlen(en); i++) {
		const char *name = json_object_get_string(
		    json_object_array_get_idx(en, i));
		const struct check_kind *k = check_kind_find(name);

		CU_ASSERT_PTR_NOT_NULL(k);
		if (k == NULL)
			fprintf(stderr, "# schema check '%s' has no record\n",
				name);
		else
			CU_ASSERT_PTR_NOT_NULL(k->listed);
	}
	/* and only those: a listed check the schema rejects is dead code */
	for (i = 0; check_table[i]; i++) {
		const struct check_kind *k = check_table[i];

		if (k->listed == NULL)
			continue;
		listed++;
		CU_ASSERT(in_enum(en, k->name));
		if (!in_enum(en, k->name))
			fprintf(stderr, "# check '%s' is not in the schema\n",
				k->name);
	}
	CU_ASSERT_EQUAL(listed, jlen(en));
	/* the expect members beyond result, condition and message (the
	 * result check's) and checks are checks planned once */
	props = jget(jget(jget(schema, "$defs"), "expect"), "properties");
	json_object_object_foreach(props, key, v) {
		const struct check_kind *k = check_kind_find(key);

		(void)v;
		if (str_eq(key, "result") || str_eq(key, "condition") ||
		    str_eq(key, "message") || str_eq(key, "checks"))
			continue;
		CU_ASSERT_PTR_NOT_NULL(k);
		CU_ASSERT(k && (k->when == CHECK_EARLY ||
				k->when == CHECK_LATE));
	}
	/* names are unique; every check runs, is run by another check's
	 * entries or is reported as skipped */
	for (i = 0; check_table[i]; i++) {
		const struct check_kind *k = check_table[i], *by;

		for (j = i + 1; check_table[j]; j++)
			CU_ASSERT(!str_eq(k->name, check_table[j]->name));
		CU_ASSERT(k->plan != NULL || k->listed != NULL);
		CU_ASSERT((k->when == CHECK_LISTED_ONLY) == (k->plan == NULL));
		if (k->skip)
			CU_ASSERT(k->run == check_run_skip);
		if (k->run)
			continue;
		by = check_kind_find(k->by ? k->by : "");
		CU_ASSERT_PTR_NOT_NULL(by);
		CU_ASSERT(by && by->run && by->when == CHECK_PER_VM);
	}
	json_object_put(schema);
}

/* A model of two plans, three VMs: vm0 (plan a), vm1 with 2 snapshots
 * (and so a guest-data step) and an RDM disk, vm2 (plan b) with
 * guest_agent: false. */
static const size_t vms_a[] = { 0, 1 }, vms_b[] = { 2 };
static const struct check_ds ds_a[] = {
	{ "datastore_id", "datastore-11", 1, false },
	{ "non_xcopy_datastore_id", "datastore-13", 0, true },
};
static const struct check_vm model_vms[] = {
	{ "vm0", "r-a-1", "a1", "tmpl", "r-a-1", NULL, 0, 1, 0, -1, false },
	{ "vm1", "r-b-2", NULL, "tmpl", "r-b-2", "on", 2, 2, 1, -1, true },
	{ "vm2", "r-c-3", NULL, "tmpl", "r-c-3", NULL, 0, 0, 0, 0, false },
};
static const struct check_plan model_plans[] = {
	{ "a", "r-t-a", "r-t-a-storage", true, vms_a, 2, ds_a, 2 },
	{ "b", "r-t-b", "r-t-b-storage", false, vms_b, 1, NULL, 0 },
};

/* verify_plan on a scenario whose expect is yaml; *expect and the
 * verify step's checks (borrowed from *expect) out; diagnostics joined
 * into *msgs (caller frees). */
static json_object *
plan_checks(const char *yaml, json_object **expect, char **msgs)
{
	struct mtv_diags d = { 0 };
	struct mtv_scenario s = { 0 };
	struct check_model m = { 0 };
	struct strbuf sb = STRBUF_INIT;
	json_object *params = NULL;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(doc_load_buf(&s.doc, "t.yaml", yaml,
					   strlen(yaml), &d), 0);
	s.path = "t.yaml";
	s.root = doc_root(s.doc);
	m.s = &s;
	m.expect = jget(s.root, "expect");
	m.ns = m.target_ns = "ns";
	m.storage_class = "sc";
	m.guest_agent_timeout = 30;
	m.src_provider = "r-vsphere";
	m.src_secret = "r-vsphere-creds";
	m.vms = model_vms;
	m.nvms = ARRAY_SIZE(model_vms);
	m.plans = model_plans;
	m.nplans = ARRAY_SIZE(model_plans);
	*expect = json_object_new_object();
	verify_plan(*expect, &params, &m, &d);
	for (i = 0; i < d.n; i++)
		strbuf_addf(&sb, "%d:%d: %s\n", d.v[i].line, d.v[i].col,
			    d.v[i].msg);
	*msgs = strbuf_detach(&sb);
	diags_release(&d);
	/* the step and expect share the list */
	CU_ASSERT_PTR_EQUAL(jget(params, "checks"), jget(*expect, "checks"));
	json_object_put(params);
	doc_free(s.doc);
	return jget(*expect, "checks");
}

/* The n-th entry (from 0) named name, or NULL. */
static json_object *
entry(json_object *checks, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		if (str_eq(jstr(c, "check"), name) && n-- == 0)
			return c;
	}
	return NULL;
}

static size_t
count(json_object *checks, const char *name)
{
	size_t n = 0;

	while (entry(checks, name, n))
		n++;
	return n;
}

static void
test_plan_defaults(void)
{
	json_object *ex, *cs;
	char *msgs;

	cs = plan_checks("expect: {}\n", &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	/* result per plan, vm and pvc per VM, adjacent; xcopy per
	 * datastore of the copy-offload plan (they differ) */
	CU_ASSERT_EQUAL(count(cs, "result"), 2);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs, 2),
				    "check"), "vm");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs, 3),
				    "check"), "pvc");
	CU_ASSERT_EQUAL(count(cs, "vm"), 3);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 1), "power"), "on");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 1), "disks"), "source");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "pvc", 0), "name_prefix"),
			       "pvc-");
	CU_ASSERT_PTR_NULL(jget(entry(cs, "pvc", 2), "volume_mode"));
	CU_ASSERT_EQUAL(count(cs, "xcopy_used"), 2);
	CU_ASSERT_EQUAL(jint(entry(cs, "xcopy_used", 0), "expect"), 1);
	CU_ASSERT_EQUAL(jint(entry(cs, "xcopy_used", 1), "expect"), 0);
	CU_ASSERT_EQUAL(jlen(jget(ex, "xcopy_used")), 2);
	CU_ASSERT_EQUAL(jlen(jget(ex, "pending")), 0);
	/* the guest checks, on by default as the pytest suite's check_vms
	 * runs them: guest_agent but where guest_agent is false,
	 * ssh_connectivity and vm_identity for every VM, data_integrity
	 * where a guest-data step writes the data; each VM's after its
	 * objects' checks, vm_identity last */
	CU_ASSERT_EQUAL(count(cs, "guest_agent"), 2);
	CU_ASSERT_EQUAL(count(cs, "ssh_connectivity"), 3);
	CU_ASSERT_EQUAL(count(cs, "vm_identity"), 3);
	CU_ASSERT_EQUAL(count(cs, "data_integrity"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "data_integrity", 0), "vm_ref"),
			       "vm1");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs, 4),
				    "check"), "guest_agent");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs, 5),
				    "check"), "ssh_connectivity");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs, 6),
				    "check"), "vm_identity");
	CU_ASSERT_EQUAL(jint(entry(cs, "guest_agent", 0), "timeout"), 30);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "ssh_connectivity", 2),
				    "target"), "r-c-3");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm_identity", 2),
				    "network_map"), "r-t-b-network");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm_identity", 0),
				    "storage_class"), "sc");
	/* ssl_verification once, last, as the profile says */
	CU_ASSERT_EQUAL(count(cs, "ssl_verification"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(cs,
				    jlen(cs) - 1), "check"), "ssl_verification");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "ssl_verification", 0),
				    "secret"), "r-vsphere-creds");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "ssl_verification", 0),
				    "expect"), "false");
	json_object_put(ex);
	free(msgs);

	/* a failed result has no migrated VM to look at */
	cs = plan_checks("expect:\n  result: failed\n  condition: X\n",
			 &ex, &msgs);
	CU_ASSERT_EQUAL(count(cs, "guest_agent") + count(cs,
			"ssh_connectivity") + count(cs, "vm_identity") +
			count(cs, "data_integrity"), 0);
	CU_ASSERT_EQUAL(count(cs, "ssl_verification"), 1);
	json_object_put(ex);
	free(msgs);
}

/* vm_name, disk_count and power_state amend the vm entries of the
 * selected VMs with their value */
static void
test_plan_vm_checks(void)
{
	json_object *ex, *cs;
	char *msgs;

	cs = plan_checks("expect:\n  checks:\n"
			 "    - check: vm_name\n      vm: a1\n"
			 "      value: renamed\n"
			 "    - check: disk_count\n      plan: b\n"
			 "      value: 3\n"
			 "    - check: power_state\n      value: off\n"
			 "    - check: pvc\n", &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_EQUAL(count(cs, "vm"), 3);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 0), "target"), "renamed");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 1), "target"), "r-b-2");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 0), "disks"), "source");
	CU_ASSERT_EQUAL(jint(entry(cs, "vm", 2), "disks"), 3);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 0), "power"), "off");
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "vm", 1), "power"), "off");
	/* performed by the vm and pvc entries: no entry of their own */
	CU_ASSERT_EQUAL(count(cs, "vm_name") + count(cs, "disk_count") +
			count(cs, "power_state"), 0);
	CU_ASSERT_EQUAL(count(cs, "pvc"), 3);
	CU_ASSERT_EQUAL(jlen(jget(ex, "pending")), 0);
	json_object_put(ex);
	free(msgs);

	/* without migrated VMs there is nothing to look at: an error, not a
	 * check that silently never runs */
	cs = plan_checks("expect:\n  result: failed\n  condition: X\n"
			 "  checks:\n    - check: vm_name\n"
			 "    - check: guest_agent\n", &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs,
	    "5:14: expect.checks[0]: vm_name needs the migrated VMs, but "
	    "expect.result is 'failed'\n"
	    "6:14: expect.checks[1]: guest_agent needs the migrated VMs, "
	    "but expect.result is 'failed'\n");
	CU_ASSERT_EQUAL(count(cs, "vm"), 0);
	json_object_put(ex);
	free(msgs);

	/* values of the wrong kind */
	cs = plan_checks("expect:\n  checks:\n"
			 "    - check: power_state\n      value: dim\n"
			 "    - check: disk_count\n      value: many\n"
			 "    - check: offload_plugin\n      value: 1\n",
			 &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs,
	    "4:14: expect.checks[0].value: power_state takes 'on' or 'off'\n"
	    "6:14: expect.checks[1].value: disk_count takes a number of "
	    "disks (at least 1)\n"
	    "8:14: expect.checks[2].value: offload_plugin takes true or "
	    "false\n");
	json_object_put(ex);
	free(msgs);
}

static void
test_plan_listed(void)
{
	json_object *ex, *cs, *c;
	char *msgs;

	cs = plan_checks("expect:\n  checks:\n"
			 "    - check: snapshots\n"
			 "    - check: offload_plugin\n"
			 "    - check: rdm_lun_bus\n"
			 "    - check: guest_agent\n      plan: b\n"
			 "    - check: data_integrity\n"
			 "    - check: ssh_connectivity\n      vm: 0\n"
			 "    - check: vm_identity\n"
			 "    - check: ssl_verification\n"
			 "    - check: concurrent\n", &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	c = entry(cs, "snapshots", 0);
	CU_ASSERT_EQUAL(count(cs, "snapshots"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(c, "vm_ref"), "vm1");
	CU_ASSERT_EQUAL(jint(c, "count"), 2);
	/* no plan: every plan's StorageMap, as the schema says */
	CU_ASSERT_EQUAL(count(cs, "offload_plugin"), 2);
	CU_ASSERT_STRING_EQUAL(jstr(entry(cs, "offload_plugin", 1), "map"),
			       "r-t-b-storage");
	CU_ASSERT(jbool(entry(cs, "offload_plugin", 0), "expect"));
	CU_ASSERT(!jbool(entry(cs, "offload_plugin", 1), "expect"));
	c = entry(cs, "rdm_lun_bus", 0);
	CU_ASSERT_EQUAL(count(cs, "rdm_lun_bus"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(c, "vm_ref"), "vm1");
	CU_ASSERT_EQUAL(jint(c, "rdm_disks"), 1);
	/* guest_agent of plan b adds vm2's, which guest_agent: false left
	 * out; data_integrity adds none (vm1's guest-data step has one);
	 * nothing is pending */
	CU_ASSERT_EQUAL(count(cs, "guest_agent"), 3);
	c = entry(cs, "guest_agent", 2);
	CU_ASSERT_STRING_EQUAL(jstr(c, "vm_ref"), "vm2");
	CU_ASSERT_STRING_EQUAL(jstr(c, "plan"), "r-t-b");
	CU_ASSERT_EQUAL(count(cs, "data_integrity"), 1);
	CU_ASSERT_EQUAL(jlen(jget(ex, "pending")), 0);
	/* the others are on by default: naming them adds nothing */
	CU_ASSERT_EQUAL(count(cs, "ssh_connectivity"), 3);
	CU_ASSERT_EQUAL(count(cs, "vm_identity"), 3);
	CU_ASSERT_EQUAL(count(cs, "ssl_verification"), 1);
	CU_ASSERT_EQUAL(jlen(jget(entry(cs, "concurrent", 0), "plans")), 2);
	json_object_put(ex);
	free(msgs);

	/* a check with nothing to look at is an error */
	cs = plan_checks("expect:\n  checks:\n"
			 "    - check: snapshots\n      plan: b\n"
			 "    - check: rdm_lun_bus\n      vm: 0\n", &ex, &msgs);
	CU_ASSERT_STRING_EQUAL(msgs,
	    "3:14: expect.checks[0]: snapshots, but no VM selected has "
	    "source snapshots (snapshots)\n"
	    "5:14: expect.checks[1]: rdm_lun_bus, but no VM selected has an "
	    "RDM disk (add_disks[].rdm_type)\n");
	json_object_put(ex);
	free(msgs);
}

/* A check that cannot be performed becomes a skipped result with its
 * reason (state.skipped_checks, which the runner reports): SSH without
 * guest credentials. A data_integrity whose data was never written fails,
 * saying so. */
static void
test_run_skip(void)
{
	struct step_ctx ctx;
	struct check_run r;
	json_object *c = json_tokener_parse(
	    "{\"check\": \"ssh_connectivity\", \"plan\": \"p\", "
	    "\"vm_ref\": \"vm0\", \"source\": \"a\", \"target\": \"a\", "
	    "\"namespace\": \"ns\", \"timeout\": 5}"), *sk;

	memset(&ctx, 0, sizeof(ctx));
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&ctx.lock, NULL);
	ctx.state = json_object_new_object();
	r.ctx = &ctx;
	strbuf_init(&r.fail);
	strbuf_init(&r.msg);
	check_kind_find("ssh_connectivity")->run(&r, c);
	CU_ASSERT_EQUAL(r.nfail + r.nok, 0);
	CU_ASSERT(r.skipped);
	sk = state_get(&ctx, "skipped_checks", "ssh_connectivity");
	CU_ASSERT_STRING_EQUAL(jstr(sk, "title"), "a");
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(sk, "reason"),
				      "not checked: no guest credentials"));
	json_object_put(c);
	c = json_tokener_parse("{\"check\": \"data_integrity\", "
			       "\"vm_ref\": \"vm0\", \"source\": \"a\"}");
	strbuf_reset(&r.msg);
	check_kind_find("data_integrity")->run(&r, c);
	CU_ASSERT_EQUAL(r.nfail, 1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&r.msg), "vm 'a': no data was "
			       "written into its guest before the migration "
			       "(no guest-data step ran)");
	json_object_put(c);
	strbuf_release(&r.fail);
	strbuf_release(&r.msg);
	json_object_put(r.evidence);
	json_object_put(ctx.state);
	pthread_mutex_destroy(&ctx.lock);
}

/* The serial Forklift sets on OpenShift 4.20 and newer. */
static void
test_vmware_serial(void)
{
	char *s = check_vmware_serial("42160f8e-3b2a-9c11-d4e5-0a1b2c3d4e5f");

	CU_ASSERT_STRING_EQUAL(s, "VMware-42 16 0F 8E 3B 2A 9C 11-D4 E5 "
			       "0A 1B 2C 3D 4E 5F");
	free(s);
	CU_ASSERT_PTR_NULL(check_vmware_serial("4216"));
}

/* expect.result failed: the plan passes only when it failed that way,
 * its condition among the Plan's and its message in the failure. */
static void
test_run_result_failed(void)
{
	static const struct {
		const char *state, *entry;
		bool pass;
		const char *says;
	} cases[] = {
		{ "{\"result\": \"failed\", \"conditions\": [\"Ready\", \"Failed\"], "
		  "\"failure\": \"populator pod: could not determine underlying "
		  "device for datastore nfs-ds (likely not VMFS)\"}",
		  "{\"condition\": \"Failed\", \"message\": \"likely not VMFS\"}",
		  true, "plan 'p' failed with Failed ('likely not VMFS')" },
		{ "{\"result\": \"failed\", \"conditions\": [\"Failed\"], "
		  "\"failure\": \"simulated storage error\"}",
		  "{\"condition\": \"Failed\", \"message\": \"likely not VMFS\"}",
		  false, "plan 'p': failed, but not with 'likely not VMFS': "
		  "simulated storage error" },
		{ "{\"result\": \"failed\", \"conditions\": [\"Failed\"], "
		  "\"failure\": \"likely not VMFS\"}",
		  "{\"condition\": \"VDDKInvalid\"}",
		  false, "plan 'p': failed without condition 'VDDKInvalid'" },
		{ "{\"result\": \"succeeded\", \"conditions\": [\"Succeeded\"], "
		  "\"failure\": null}",
		  "{\"condition\": \"Failed\", \"message\": \"likely not VMFS\"}",
		  false, "plan 'p': expected result 'failed', found 'succeeded'" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct step_ctx ctx;
		struct check_run r;
		json_object *c = json_tokener_parse(cases[i].entry);

		memset(&ctx, 0, sizeof(ctx));
		memset(&r, 0, sizeof(r));
		pthread_mutex_init(&ctx.lock, NULL);
		ctx.state = json_object_new_object();
		r.ctx = &ctx;
		state_set(&ctx, "plans", "p", json_tokener_parse(cases[i].state));
		jputs(c, "check", "result");
		jputs(c, "plan", "p");
		jputs(c, "expect", "failed");
		check_kind_find("result")->run(&r, c);
		CU_ASSERT_EQUAL(r.nok, cases[i].pass);
		CU_ASSERT_EQUAL(r.nfail, !cases[i].pass);
		if (!cases[i].pass)
			CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&r.fail),
						      cases[i].says));
		strbuf_release(&r.fail);
		json_object_put(c);
		json_object_put(ctx.state);
		pthread_mutex_destroy(&ctx.lock);
	}
}

int verify_entries(struct check_run *r, json_object *checks,
		   json_object *results);

/* A context with plans p (and q) in its state, for running checks. */
static void
run_ctx(struct step_ctx *ctx, struct check_run *r, const char *p,
	const char *q)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->state = json_object_new_object();
	r->ctx = ctx;
	state_set(ctx, "plans", "p", json_tokener_parse(p));
	if (q)
		state_set(ctx, "plans", "q", json_tokener_parse(q));
}

static void
run_ctx_release(struct step_ctx *ctx, struct check_run *r)
{
	strbuf_release(&r->fail);
	strbuf_release(&r->msg);
	json_object_put(ctx->state);
	pthread_mutex_destroy(&ctx->lock);
}

/* verify counts the entries that failed among the entries it ran (the
 * plan's "verify N checks"), not each disk an entry failed on. */
static void
test_run_count_entries(void)
{
	struct step_ctx ctx;
	struct check_run r;
	json_object *checks = json_tokener_parse(
	    "[{\"check\": \"result\", \"plan\": \"p\", "
	    "\"expect\": \"succeeded\"},"
	    " {\"check\": \"xcopy_used\", \"plan\": \"p\", \"expect\": 1}]"),
		    *results = json_object_new_array();

	run_ctx(&ctx, &r, "{\"result\": \"succeeded\", \"conditions\": "
		"[\"Succeeded\"], \"xcopy\": [{\"disk\": \"a.vmdk\", "
		"\"xcopyUsed\": 0, \"source\": \"task annotation\"}, "
		"{\"disk\": \"b.vmdk\", \"xcopyUsed\": 0, "
		"\"source\": \"task annotation\"}]}", NULL);
	CU_ASSERT_EQUAL(verify_entries(&r, checks, results), 1);
	CU_ASSERT_EQUAL(jlen(results), 2);
	/* two failures (one per disk) of one entry */
	CU_ASSERT_EQUAL(r.nfail, 2);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(results, 1),
				    "status"), "failed");
	json_object_put(results);
	json_object_put(checks);
	run_ctx_release(&ctx, &r);
}

/* concurrent prints instants and durations as people read them. */
static void
test_run_concurrent_times(void)
{
	struct step_ctx ctx;
	struct check_run r;
	json_object *c = json_tokener_parse(
	    "{\"check\": \"concurrent\", \"plans\": [\"p\", \"q\"]}");

	run_ctx(&ctx, &r, "{\"disk_transfer\": [{\"started\": "
		"\"2026-12-06T10:02:11Z\", \"completed\": "
		"\"2026-12-06T10:05:23Z\"}]}", "{\"disk_transfer\": "
		"[{\"started\": \"2026-12-06T10:03:00Z\", \"completed\": "
		"\"2026-12-06T10:04:00Z\"}]}");
	check_kind_find("concurrent")->run(&r, c);
	CU_ASSERT_EQUAL(r.nok, 1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&r.msg), "plans ran at the same "
			       "time: disk transfers overlap for 1m00s (p from "
			       "2026-12-06T10:02:11Z for 3m12s, q from "
			       "2026-12-06T10:03:00Z for 1m00s)");
	json_object_put(c);
	run_ctx_release(&ctx, &r);
}

static CU_TestInfo tests_checks[] = {
	{ "the table matches the schema's checks", test_table_schema },
	{ "plan: the checks every scenario has", test_plan_defaults },
	{ "plan: vm_name, disk_count, power_state, pvc", test_plan_vm_checks },
	{ "plan: listed checks and skipped ones", test_plan_listed },
	{ "run: skipped checks carry their reason", test_run_skip },
	{ "run: the VMware-style serial", test_vmware_serial },
	{ "run: an expected failure passes only when it fails that way", test_run_result_failed },
	{ "run: verify counts entries, not failures", test_run_count_entries },
	{ "run: concurrent prints instants and durations", test_run_concurrent_times },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_checks[] = {
	{ "checks", NULL, NULL, NULL, NULL, tests_checks },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_checks);
