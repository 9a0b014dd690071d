/* journal.h: the write-ahead journal of a run: before a step creates or
 * changes anything it records what (the step and its undo record so far),
 * one JSON line per record, fsync'd; teardown appends "done" records. The
 * records hold names, MoIDs, the ESXi key line and settings to restore,
 * never secret values (step params carry placeholders only). A lock file
 * flock'ed for the run's life tells whether the run is alive. */
#ifndef MTV_STEP_JOURNAL_H
#define MTV_STEP_JOURNAL_H

#include <stdbool.h>
#include <json-c/json.h>

#include "util/util.h"

struct step_ctx;
struct step_journal;

/* The journal folder: $XDG_STATE_HOME/mtv-scenario, else
 * ~/.local/state/mtv-scenario (caller frees). */
char *journal_dir(void);
/* "DIR/<run_id>.journal" and "DIR/<run_id>.lock" (caller frees). */
char *journal_path(const char *run_id, const char *ext);
/* Open (create or append to) run_id's journal and take its lock for as
 * long as *out lives; header (may be NULL; not taken) is written as a
 * record {"op": "run", ...} (the last one counts), as is a bare one when
 * the journal is new. MTV_ECONFLICT when
 * another process holds the lock, MTV_EIO when the folder or file cannot
 * be written. */
int journal_open(struct step_journal **out, const char *run_id,
		 json_object *header, struct mtv_err *err);
/* Close the journal and release the lock; with complete, remove the
 * journal and its lock file (nothing of the run is left), unless a run
 * (header given) reopened the journal of an earlier run, whose records
 * then stay for cleanup to check. NULL is fine. */
void journal_close(struct step_journal *j, bool complete);
/* Append rec (not taken) as one line and fsync it. */
int journal_append(struct step_journal *j, json_object *rec,
		   struct mtv_err *err);
/* Is the run that owns run_id's lock file alive (lock held)? */
bool journal_alive(const char *run_id);
/* Read a journal file: *out = {"run": header or null, "steps": [{"id",
 * "step", "undo", "done"}...] in the order steps began, "complete":
 * bool}; lines that do not parse (a torn last write) are skipped.
 * MTV_ENOTFOUND when there is no such file. */
int journal_read(json_object **out, const char *path, struct mtv_err *err);
/* The run ids of DIR's journals (array of strings, caller puts). */
json_object *journal_list(void);

/* Step helpers; no-ops when the run has no journal. Failures to write
 * are logged as warnings (the run goes on; the label sweep still finds
 * what it makes). */
/* Step about to run: {"op": "begin", "id", "step"}. */
void step_journal_begin(struct step_ctx *ctx, json_object *step);
/* What step created or is about to create, its undo record so far (not
 * taken): {"op": "undo", "id", "undo"}; the last one counts. */
void step_journal_add(struct step_ctx *ctx, json_object *step,
		      json_object *undo);
/* Step undone: {"op": "done", "id"}. */
void step_journal_done(struct step_ctx *ctx, json_object *step);

#endif
