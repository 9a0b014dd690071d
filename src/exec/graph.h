/* graph.h: inside src/exec: the worker threads of one endpoint (a pool)
 * and the scheduler that runs a plan's steps as the graph of their
 * "after" ids (graph.c; doc/plan-format.md, "Step graph"). */
#ifndef MTV_EXEC_GRAPH_H
#define MTV_EXEC_GRAPH_H

#include <json-c/json.h>

#include "util/util.h"
#include "step/step.h"

/* Up to max threads, started as work comes and none is idle, so that
 * steps one after the other reuse one thread (and its connections, which
 * are per thread: step_vsphere, step_kube). */
struct pool;

struct pool *pool_new(size_t max);
/* Run fn(arg) in a thread of p; arg lives until fn returns. */
void pool_submit(struct pool *p, void (*fn)(void *), void *arg);
/* Run fn(arg) in a thread of p (in this one if none can be started)
 * and wait for it. */
void pool_call(struct pool *p, void (*fn)(void *), void *arg);
/* Wait for the queued work, end the threads. NULL is fine. */
void pool_free(struct pool *p);

/* Pools by side, and the bounds steps count against: a STEP_WAITS step
 * of side source runs in the source pool but counts as GRAPH_WAIT. */
enum { GRAPH_SOURCE, GRAPH_CLUSTER, GRAPH_SIDES };
enum { GRAPH_WAIT = GRAPH_SIDES, GRAPH_BOUNDS };

/* One step of the graph. */
struct gnode {
	json_object *step;		/* borrowed from the plan */
	const struct step_kind *kind;
	size_t *after;			/* indexes of the steps it waits for */
	size_t nafter;
	bool skip;			/* left out (--only): counts as done */
	int state;			/* private to graph.c */
	/* the run of it (set by ops->exec) */
	json_object *undo;
	struct mtv_err err;
	int rc;
	long long start, end;
};

/* The runner's part; all but exec are called in the calling thread. */
struct graph_ops {
	void *arg;
	/* run n (in a thread of n's side's pool) */
	void (*exec)(void *arg, struct gnode *n);
	/* before a step starts: true stops all further starts */
	bool (*stop)(void *arg);
	void (*started)(void *arg, struct gnode *n);
	/* n ended, in the order they end; n->rc != 0 stops further starts */
	void (*ended)(void *arg, struct gnode *n);
	/* n is left out and counts as done */
	void (*skipped)(void *arg, struct gnode *n);
};

/* The side of n's kind: GRAPH_SOURCE or GRAPH_CLUSTER. */
int graph_side(const struct gnode *n);
/* Fill v[i].after from steps[i]["after"] (ids of earlier steps; a step
 * without "after" waits for the one before it). MTV_EINTERNAL naming the
 * step when an id is not of an earlier step. */
int graph_links(struct gnode *v, size_t n, struct mtv_err *err);
/* Start each step once every step it waits for is done, in index order,
 * in pools[side], at most limit[bound] at a time (bound: its side, or
 * GRAPH_WAIT for a STEP_WAITS step of side source); after a failure or
 * ops->stop, start nothing more and wait for the running ones. */
void graph_run(struct gnode *v, size_t n, struct pool *const *pools,
	       const size_t *limit, const struct graph_ops *ops);
/* Free what graph_links allocated (the undo records are the caller's). */
void graph_release(struct gnode *v, size_t n);

#endif
