      * COPY member for with_copy.cpy: :PFX: is replaced by the caller.
           05  :PFX:-ADDRESS.
               10  :PFX:-STREET   PIC X(20).
               10  :PFX:-CITY     PIC X(20).
