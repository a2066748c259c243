#ifndef ALIPAYSIGN_CLIBXML2_SHIM_H
#define ALIPAYSIGN_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU; its headers then include <unicode/ucnv.h>, which clashes with Foundation's
   bundled ICU in any module that sees both (docs/BACKEND.md §4). We never touch the ICU fields. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#endif
