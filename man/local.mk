dist_man_MANS = man/mtv-scenario.1
