#ifndef ALTV_CUNITFILES_H
#define ALTV_CUNITFILES_H
// The shipped unit files, embedded at build time (C23 #embed) from systemd/, so that
// `altv-reconnectd install` writes exactly what the repository ships: one copy of each unit.
// NUL-terminated.
const char *altv_user_unit(void);
const char *altv_template_unit(void);
#endif
