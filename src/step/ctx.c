/* ctx.c: per-thread drivers, run state, cancellation and deadlines. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "kube/kube.h"
#include "vsphere/vsphere.h"

/* One connection per endpoint and thread, reused for the whole run. */
static struct driver_slot *
slot_for_thread(struct drivers *d)
{
	pthread_t self = pthread_self();
	size_t i;

	for (i = 0; i < d->n; i++)
		if (pthread_equal(d->slots[i].tid, self))
			return &d->slots[i];
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->slots = xrealloc(d->slots, d->cap * sizeof(*d->slots));
	}
	memset(&d->slots[d->n], 0, sizeof(d->slots[d->n]));
	d->slots[d->n].tid = self;
	return &d->slots[d->n++];
}

int
step_vsphere(struct step_ctx *ctx, struct vs_client **out, struct mtv_err *err)
{
	struct drivers *d = ctx->drivers;
	struct driver_slot *s;
	struct vs_opts o;
	int r;

	pthread_mutex_lock(&d->lock);
	s = slot_for_thread(d);
	if (s->vs) {
		*out = s->vs;
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	memset(&o, 0, sizeof(o));
	r = vs_opts_from_profile(&o, ctx->profile, err);
	if (r == 0)
		r = vs_connect(out, &o, err);
	secret_free((struct secret *)o.password);
	if (r != 0)
		return r;
	pthread_mutex_lock(&d->lock);
	slot_for_thread(d)->vs = *out;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int
step_kube(struct step_ctx *ctx, struct kube_client **out, struct mtv_err *err)
{
	struct drivers *d = ctx->drivers;
	struct driver_slot *s;
	struct kube_opts o;
	int r;

	pthread_mutex_lock(&d->lock);
	s = slot_for_thread(d);
	if (s->kube) {
		*out = s->kube;
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	memset(&o, 0, sizeof(o));
	r = kube_opts_from_env(&o, ctx->profile, ctx->opts->kubeconfig,
			       ctx->opts->context, err);
	if (r == 0)
		r = kube_connect(out, &o, err);
	secret_free((struct secret *)o.password);
	if (r != 0)
		return r;
	/* SIGINT/SIGTERM end requests and waits at once */
	kube_set_cancel(*out, ctx->canceled);
	pthread_mutex_lock(&d->lock);
	slot_for_thread(d)->kube = *out;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void
drivers_init(struct drivers *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
}

void
drivers_release(struct drivers *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		vs_free(d->slots[i].vs);
		kube_free(d->slots[i].kube);
	}
	free(d->slots);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
}

bool
step_should_stop(struct step_ctx *ctx, struct mtv_err *err)
{
	if (ctx->canceled && *ctx->canceled) {
		err_set(err, MTV_ECANCELED, "interrupted");
		return true;
	}
	if (ctx->deadline_ms && clock_ms() >= ctx->deadline_ms) {
		err_set(err, MTV_ETIMEOUT, "the scenario's timeout ran out");
		return true;
	}
	return false;
}

int
step_time_left(struct step_ctx *ctx)
{
	long long left;

	if (ctx->deadline_ms == 0)
		return 86400;
	left = (ctx->deadline_ms - clock_ms()) / 1000;
	return left < 1 ? 1 : (int)left;
}

void
state_set(struct step_ctx *ctx, const char *section, const char *key,
	  json_object *val)
{
	json_object *sec = NULL;

	pthread_mutex_lock(&ctx->lock);
	if (!json_object_object_get_ex(ctx->state, section, &sec)) {
		sec = json_object_new_object();
		json_object_object_add(ctx->state, section, sec);
	}
	json_object_object_add(sec, key, val);
	pthread_mutex_unlock(&ctx->lock);
}

json_object *
state_get(struct step_ctx *ctx, const char *section, const char *key)
{
	json_object *sec = NULL, *v = NULL;

	pthread_mutex_lock(&ctx->lock);
	if (json_object_object_get_ex(ctx->state, section, &sec))
		json_object_object_get_ex(sec, key, &v);
	pthread_mutex_unlock(&ctx->lock);
	return v;
}
