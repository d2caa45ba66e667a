#include <kite/smp.h>
void smp_init(void)
{
}
