/* The names uname reports, set by sethostname/setdomainname (sys_system.c). */
#pragma once
#define UTS_NAME_LEN 64   /* __NEW_UTS_LEN */
const char *uts_hostname(void);
const char *uts_domainname(void);
