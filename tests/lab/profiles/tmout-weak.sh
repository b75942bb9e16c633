# capdo lab host @NAME@ (profile @PROFILE@): a one-hour idle timeout.
export TMOUT=3600
