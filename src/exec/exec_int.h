/* exec_int.h: what the runner's files share. */
#ifndef MTV_EXEC_INT_H
#define MTV_EXEC_INT_H

#include "exec/exec.h"

struct driver_slot {
	pthread_t tid;
	struct vs_client *vs;
	struct kube_client *kube;
};

struct drivers {
	pthread_mutex_t lock;
	struct driver_slot *slots;
	size_t n, cap;
};

void drivers_init(struct drivers *d);
/* Log out of every connection (all threads joined). */
void drivers_release(struct drivers *d);

#endif
