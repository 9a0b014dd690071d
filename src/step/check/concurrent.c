/* concurrent: the plans' disk transfers overlap in time (they ran at the
 * same time). Instants print in UTC, durations as "3m12s". */
#include "config.h"

#include "step/check/check.h"

static void
listed_concurrent(struct check_build *b, json_object *e, size_t at)
{
	json_object *pl = json_object_new_array();
	size_t j;

	(void)e;
	(void)at;
	for (j = 0; j < b->m->nplans; j++)
		json_object_array_add(pl, json_object_new_string(
		    b->m->plans[j].name));
	jput(check_entry(b, "concurrent"), "plans", pl);
}

/* The [first start, last end] of a plan's DiskTransfer steps. */
static bool
transfer_window(json_object *st, long long *from, long long *to)
{
	json_object *dt = jget(st, "disk_transfer");
	size_t i;

	*from = *to = -1;
	for (i = 0; i < jlen(dt); i++) {
		json_object *e = json_object_array_get_idx(dt, i);
		long long s = verify_time(jstr(e, "started")),
			  c = verify_time(jstr(e, "completed"));

		if (s >= 0 && (*from < 0 || s < *from))
			*from = s;
		if (c >= 0 && c > *to)
			*to = c;
	}
	return *from >= 0 && *to >= 0;
}

static void
run_concurrent(struct check_run *r, json_object *c)
{
	json_object *plans = jget(c, "plans");
	long long start = -1, end = -1;
	struct strbuf sb = STRBUF_INIT;
	char at[FMT_TIME_LEN], len[FMT_TIME_LEN];
	size_t i;

	for (i = 0; i < jlen(plans); i++) {
		const char *p =
		    json_object_get_string(json_object_array_get_idx(plans, i));
		long long f, t;

		if (!transfer_window(check_plan_state(r, p), &f, &t)) {
			check_fail(r, "plan '%s': no DiskTransfer start and "
				   "end recorded", p);
			strbuf_release(&sb);
			return;
		}
		strbuf_addf(&sb, "%s%s from %s for %s", sb.len ? ", " : "", p,
			    fmt_instant(at, sizeof(at), f),
			    fmt_duration(len, sizeof(len), (t - f) * 1000));
		if (start < 0 || f > start)
			start = f;
		if (end < 0 || t < end)
			end = t;
	}
	/* overlap: the latest start is not after the earliest end */
	fmt_duration(len, sizeof(len), (start > end ? start - end :
					end - start) * 1000);
	if (start > end)
		check_fail(r, "plans did not run at the same time: their disk "
			   "transfers do not overlap, %s apart (%s)", len,
			   strbuf_str(&sb));
	else
		check_pass(r, "plans ran at the same time: disk transfers "
			   "overlap for %s (%s)", len, strbuf_str(&sb));
	strbuf_release(&sb);
}

const struct check_kind check_concurrent = {
	.name = "concurrent",
	.summary = "the plans ran at the same time",
	.listed = listed_concurrent,
	.run = run_concurrent,
};
