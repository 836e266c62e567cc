//go:build linux && cgo

package auth

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// The PAM ABI (Linux-PAM's security/pam_appl.h), declared here so the
// build needs no libpam0g-dev: libpam.so.0 is opened at run time, and a
// system without it reports PAM unavailable instead of failing to build.
struct pam_message { int msg_style; const char *msg; };
struct pam_response { char *resp; int resp_retcode; };
struct pam_conv {
	int (*conv)(int, const struct pam_message **, struct pam_response **, void *);
	void *appdata_ptr;
};
#define PAM_PROMPT_ECHO_OFF 1
#define PAM_FAIL_DELAY 10

typedef int (*start_fn)(const char *, const char *, const struct pam_conv *, void **);
typedef int (*handle_fn)(void *, int);
typedef int (*set_item_fn)(void *, int, const void *);

static void *libpam;
static start_fn p_start;
static handle_fn p_end, p_authenticate, p_acct_mgmt;
static set_item_fn p_set_item;

static int pam_load(void) {
	if (libpam) return 1;
	void *h = dlopen("libpam.so.0", RTLD_NOW | RTLD_GLOBAL);
	if (!h) return 0;
	p_start = (start_fn)dlsym(h, "pam_start");
	p_end = (handle_fn)dlsym(h, "pam_end");
	p_authenticate = (handle_fn)dlsym(h, "pam_authenticate");
	p_acct_mgmt = (handle_fn)dlsym(h, "pam_acct_mgmt");
	p_set_item = (set_item_fn)dlsym(h, "pam_set_item");
	if (!p_start || !p_end || !p_authenticate || !p_acct_mgmt || !p_set_item) {
		dlclose(h);
		return 0;
	}
	libpam = h;
	return 1;
}

// salt/auth/pam.py's my_conv: every prompt with echo off is answered
// with the password; other messages get an empty response.
static int pam_conv_password(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
	struct pam_response *r = calloc(n, sizeof(struct pam_response));
	if (!r) return 5; // PAM_BUF_ERR
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
			r[i].resp = strdup((const char *)data);
		}
	}
	*resp = r;
	return 0;
}

// No fail delay inside PAM: LoadAuth's time_auth makes every failure
// as slow as the slowest, outside any lock.
static void pam_no_delay(int status, unsigned int usec, void *data) {}

static int pam_check(const char *service, const char *user, const char *password) {
	struct pam_conv conv = { pam_conv_password, (void *)password };
	void *h = NULL;
	int rc = p_start(service, user, &conv, &h);
	if (rc != 0) {
		if (h) p_end(h, rc);
		return rc;
	}
	p_set_item(h, PAM_FAIL_DELAY, (const void *)pam_no_delay);
	rc = p_authenticate(h, 0);
	if (rc == 0) rc = p_acct_mgmt(h, 0);
	p_end(h, 0);
	return rc;
}
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

// pamMu serialises PAM conversations: the modules behind it (pam_unix's
// crypt) keep static state. The fail delay is off, so a wrong password
// holds it only as long as the hash takes.
var pamMu sync.Mutex

// PAMAvailable reports whether libpam.so.0 could be loaded.
func PAMAvailable() bool {
	pamMu.Lock()
	defer pamMu.Unlock()
	return C.pam_load() == 1
}

// pamAuthenticate is salt/auth/pam.py _authenticate.
func pamAuthenticate(service, username, password string) (bool, error) {
	if strings.ContainsRune(service+username+password, 0) {
		return false, nil
	}
	pamMu.Lock()
	defer pamMu.Unlock()
	if C.pam_load() != 1 {
		return false, ErrPAMUnavailable
	}
	cs, cu, cp := C.CString(service), C.CString(username), C.CString(password)
	defer C.free(unsafe.Pointer(cs))
	defer C.free(unsafe.Pointer(cu))
	defer func() {
		C.memset(unsafe.Pointer(cp), 0, C.size_t(len(password)))
		C.free(unsafe.Pointer(cp))
	}()
	return C.pam_check(cs, cu, cp) == 0, nil
}
