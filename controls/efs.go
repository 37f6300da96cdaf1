package controls

// efsControls are the controls of EFS file systems (components/filesystem).
var efsControls = []*Control{}
