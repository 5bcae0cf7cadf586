/* The smallest test guest: it boots, prints and powers off.  Checks the runtime and the runner. */
#include "console.h"
#include "guest.h"
#include "platform.h"
#include "test.h"

const char guest_name[] = "hello";

void guest_main(void *dtb)
{
    check(plat.uart != 0, "hello_uart", "console UART at %#lx", plat.uart);
    check(guest_entry_regs[0][ENTRY_X0] == (uintptr_t)dtb && dtb != 0, "hello_dtb",
          "x0 at entry %#lx", guest_entry_regs[0][ENTRY_X0]);
}
