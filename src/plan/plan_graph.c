/* plan_graph.c: what each step of a plan waits for, its "after" ids
 * (doc/plan-format.md, "Step graph"). A VM's steps form a chain from its
 * clone; cluster steps wait for the steps their objects refer to; the
 * Plan for its maps and its VMs; migrate and verify for everything before
 * them. The runner starts a step once every step it waits for succeeded
 * (src/exec/run.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* The graph under construction: after[i][j] is "step i waits for j";
 * waited[j]: some step waits for j. */
struct graph {
	struct mtv_model *m;
	const struct plan_origin *orig;
	size_t norig, n;
	bool *after;		/* n x n */
	bool *waited;
};

static void
need(struct graph *g, size_t i, size_t j)
{
	g->after[i * g->n + j] = true;
}

/* Does step j come from the row named tok ("kind" or "kind:role")? */
static bool
row_is(const struct plan_origin *o, const char *tok, size_t len)
{
	size_t kl = strlen(o->kind);

	if (len < kl || strncmp(tok, o->kind, kl) != 0)
		return false;
	if (len == kl)
		return true;
	return tok[kl] == ':' && o->role && strlen(o->role) == len - kl - 1 &&
		strncmp(tok + kl + 1, o->role, len - kl - 1) == 0;
}

/* The last step before i of VM vm, or -1. */
static long
vm_last(struct graph *g, size_t i, int vm)
{
	size_t j;

	for (j = i; j-- > 0;)
		if (j < g->norig && g->orig[j].vm == vm)
			return (long)j;
	return -1;
}

static void
need_row(struct graph *g, size_t i, const char *tok, size_t len)
{
	const struct plan_origin *o = &g->orig[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (row_is(&g->orig[j], tok, len) &&
		    (o->plan < 0 || g->orig[j].plan < 0 ||
		     g->orig[j].plan == o->plan))
			need(g, i, j);
}

/* The last step of each VM of plan p (every VM when p is -1). */
static void
need_vms(struct graph *g, size_t i, int p)
{
	size_t v;
	long j;

	for (v = 0; v < g->m->nvms; v++) {
		if (p >= 0) {
			const struct model_plan *pl = &g->m->plans[p];
			size_t k;

			for (k = 0; k < pl->nvms && pl->vms[k] != (int)v; k++)
				;
			if (k == pl->nvms)
				continue;
		}
		if ((j = vm_last(g, i, (int)v)) >= 0)
			need(g, i, (size_t)j);
	}
}

/* Every step before i that nothing waits for yet. */
static void
need_sinks(struct graph *g, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!g->waited[j])
			need(g, i, j);
}

/* A VM's step: its VM's step before it, else (its clone) the preflights
 * and, with same_host_as, the clone of that VM. */
static void
need_chain(struct graph *g, size_t i, json_object *step)
{
	const char *same = jstr(jget(step, "params"), "same_host_as");
	long j = vm_last(g, i, g->orig[i].vm);
	size_t k;

	if (j >= 0) {
		need(g, i, (size_t)j);
		return;
	}
	need_row(g, i, "preflight", 9);
	for (k = 0; same && k < i; k++)
		if (str_eq(g->orig[k].kind, "clone") &&
		    str_eq(jstr(jget(json_object_array_get_idx(g->m->steps, k),
				     "params"), "vm_ref"), same))
			need(g, i, k);
}

/* Step i's needs, from its row's. */
static void
need_step(struct graph *g, size_t i, json_object *step)
{
	const char *p, *e;
	size_t j;
	bool any = false;

	if (i >= g->norig) {
		need_sinks(g, i);
		return;
	}
	if (g->orig[i].needs == NULL) {
		need_chain(g, i, step);
		return;
	}
	for (p = g->orig[i].needs; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p == 1 && *p == '*')
			need_sinks(g, i);
		else if (e - p == 3 && strncmp(p, "vms", 3) == 0)
			need_vms(g, i, g->orig[i].plan);
		else
			need_row(g, i, p, (size_t)(e - p));
	}
	for (j = 0; j < i; j++)
		any |= g->after[i * g->n + j];
	/* a row whose objects are all absent still waits for the
	 * preflights, like every step but theirs */
	if (!any && *g->orig[i].needs)
		need_row(g, i, "preflight", 9);
}

void
plan_graph(struct mtv_model *m, const struct plan_origin *orig, size_t n)
{
	struct graph g = { m, orig, n, json_object_array_length(m->steps),
			   NULL, NULL };
	size_t i, j;

	g.after = xcalloc(g.n * g.n + 1, sizeof(*g.after));
	g.waited = xcalloc(g.n + 1, sizeof(*g.waited));
	for (i = 0; i < g.n; i++) {
		json_object *st = json_object_array_get_idx(m->steps, i),
			    *a = json_object_new_array();

		need_step(&g, i, st);
		for (j = 0; j < i; j++) {
			if (!g.after[i * g.n + j])
				continue;
			g.waited[j] = true;
			json_object_array_add(a, json_object_get(jget(
				json_object_array_get_idx(m->steps, j), "id")));
		}
		json_object_object_add(st, "after", a);
	}
	free(g.after);
	free(g.waited);
}
