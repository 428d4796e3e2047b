/* Personal account (screens/account.h): placeholder until this page is
 * written; it says so rather than pretending. */
#include <config.h>

#include "screens/account.h"
#include "i18n.h"

struct screen *screen_acct_home_new(void)
{

	return tui_dialog_new(_("Not yet"), _("The personal account comes in a later version of "
	                                      "qoltanba. Until then, use the portal pki.gov.kz."),
	                      NULL, 0, 0);
}
