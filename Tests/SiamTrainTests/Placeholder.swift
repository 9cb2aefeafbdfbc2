// Tests for SiamTrain land here with their issue.
