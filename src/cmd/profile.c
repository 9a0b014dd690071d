/* profile.c (cmd): the provider profile from the command line: -p,
 * --provider, --storage-class and the --set/--tc overrides. */
#include "config.h"

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

int
cmd_profile(struct mtv_profile **out, struct mtv_opts *o, struct mtv_diags *diags)
{
	struct profile_opts po = { 0 };

	if (cmd_overrides_check(o, diags) != 0)
		return MTV_EINVAL;

	po.providers_file = o->providers;
	po.name = o->provider;
	po.sets = o->sets;
	po.keep_invalid = str_eq(o->cmd, "validate");
	return profile_load(out, &po, diags);
}
