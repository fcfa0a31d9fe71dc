#include "CUnitFiles.h"
#pragma clang diagnostic ignored "-Wc23-extensions"

static const char user_unit[] = {
#embed "../../systemd/altv-reconnectd.service"
    , 0
};

static const char template_unit[] = {
#embed "../../systemd/altv-reconnectd@.service"
    , 0
};

const char *altv_user_unit(void) { return user_unit; }
const char *altv_template_unit(void) { return template_unit; }
