/* progress.h: what a run is doing now. Steps, waits and copies report here;
 * the live status area (a terminal) or the heartbeat (not a terminal,
 * --progress=plain) shows it. Thread-safe: steps of one scenario run in
 * threads of their own. */
#ifndef MTV_UTIL_PROGRESS_H
#define MTV_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A step starts (id of total; kind, e.g. "migrate"; title). */
void progress_step(int id, int total, const char *kind, const char *title);
/* A step ended (rc 0 or an mtv_errcode). */
void progress_step_end(int id, int rc);
/* Copy progress of one disk of a VM during a migration: bytes done of
 * total (0: unknown), as the Plan status or the populator CR says. */
void progress_copy(const char *vm, const char *disk, int64_t done,
		   int64_t total);
/* What a long wait waits for ("guest of vm0", "Plan plan-x Succeeded");
 * NULL: nothing. */
void progress_wait(const char *what);

/* ---- who shows it (cmd run, exec/jobs.c) ---- */

enum progress_mode {
	PROGRESS_NONE,		/* nothing but the log */
	PROGRESS_PLAIN,		/* a timestamped heartbeat line after
				 * PROGRESS_HEARTBEAT_S of silence */
	PROGRESS_TTY,		/* status area redrawn in place on stderr */
	PROGRESS_RECORDS,	/* a child of run -j: records to its parent */
};
#define PROGRESS_HEARTBEAT_S 30

/* "tty", "plain" or "none"; NULL or "auto": tty when stderr is a terminal
 * (and TERM is not dumb), else plain. MTV_EINVAL for anything else. */
int progress_mode_parse(enum progress_mode *out, const char *s);
/* Show progress this way from now on; ticker: a thread of progress's own
 * redraws and beats (else the caller calls progress_tick() about once a
 * second, as run -j's parent does: it forks, and a forked thread-less
 * parent is safe). PROGRESS_RECORDS writes records to fd. */
void progress_start(enum progress_mode mode, bool ticker, int fd);
/* Stop: the status area goes, the ticker ends. */
void progress_stop(void);
/* Redraw the area, or beat when the console has been silent long enough
 * (MTV_SCENARIO_HEARTBEAT_S overrides PROGRESS_HEARTBEAT_S, for tests). */
void progress_tick(void);
/* Write text (whole lines) to fp (stdout or stderr) around the status
 * area; it counts as output for the heartbeat. */
void progress_print(FILE *fp, const char *text);

/* A scenario (slot 0 .. PROGRESS_SLOTS-1) starts or ends; name is its
 * label. The steps' reports go to slot 0 unless fed. */
#define PROGRESS_SLOTS 64
void progress_job_begin(int slot, const char *name);
void progress_job_end(int slot);
/* A record line a child (PROGRESS_RECORDS) wrote, for slot. */
void progress_job_feed(int slot, const char *record);

#endif
